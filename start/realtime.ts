/*
| The live channel (socket.io). Capabilities register their handlers in
| app/<capability>/realtime.ts; this file loads them and attaches socket.io to
| the HTTP server once it exists. In tests the HTTP server is started later by
| testUtils.httpServer(); tests/bootstrap.ts attaches there.
*/
import app from '@adonisjs/core/services/app'
import server from '@adonisjs/core/services/server'
import { realtime } from '#app/realtime/realtime'
import '#app/critical_values/realtime'
import '#app/consultation/realtime'

app.ready(() => {
  const nodeServer = server.getNodeServer()
  if (nodeServer) realtime.attach(nodeServer)
})

app.terminating(async () => {
  await realtime.close()
})
