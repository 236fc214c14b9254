import net from 'node:net'
import { OrthancProcess } from '../../bin/lib/orthanc_process.mjs'

/*
| A test's own Orthanc, on ports the system hands out free at that moment, so
| that it never collides with the suite's Orthanc or another worktree's.
| Tests that pause (SIGSTOP) or kill Orthanc use one of these, never the
| suite's main Orthanc.
*/
export function freePort() {
  return new Promise<number>((resolve, reject) => {
    const server = net.createServer()
    server.once('error', reject)
    server.listen(0, '0.0.0.0', () => {
      const port = (server.address() as net.AddressInfo).port
      server.close(() => resolve(port))
    })
  })
}

export const OWN_NODE_PASSWORD = 'own-node-Secret-7'

export async function ownOrthanc(name: string, options: { aet?: string; stableAge?: number } = {}) {
  const node = new OrthancProcess({
    name: `${name}-${process.env.WORKTREE_SLOT ?? '0'}-${process.pid}`,
    httpPort: await freePort(),
    dicomPort: await freePort(),
    aet: options.aet ?? 'IMAGING_CENTRE',
    password: OWN_NODE_PASSWORD,
    stableAge: options.stableAge ?? 1,
    fresh: true,
  })
  await node.start()
  return node
}
