import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import * as make from '#tests/support/fixtures'

/*
| Issue 9, points 5 and 6: the storage dashboard never says "nothing to do"
| beside single-copy studies, and a node's error reads in the administrator's
| language (Orthanc's English text stays in the record, on hover).
*/
const sql = (t: DateTime) => t.toUTC().toFormat('yyyy-MM-dd HH:mm:ss')

test.group('Storage dashboard in words', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test('single copies younger than the alert limit are reported as on their way, and a down node says why in Chinese', async ({
    client,
    assert,
  }) => {
    const admin = await make.user('admin')
    const now = DateTime.utc()
    const uid = make.unique('1.2.826.0.1.')
    const [nodeId] = await db.table('storage_nodes').insert({
      name: make.unique('节点'),
      role: 'backup',
      url: `http://127.0.0.1:1/${uid}`,
      username: 'x',
      password_cipher: 'x',
      retention_years: 30,
      status: 'down',
      last_error: 'Orthanc unreachable (GET /system): ECONNREFUSED',
      active: true,
      created_at: sql(now),
      updated_at: sql(now),
    })
    await db.table('archived_studies').insert({
      orthanc_study_id: make.unique('o'),
      study_instance_uid: uid,
      exam_date: now.toISODate(),
      priority: 'routine',
      origin_node_id: nodeId,
      manifest: '{}',
      manifest_digest: 'x',
      first_seen_at: sql(now),
      copy_status: 'single',
      single_copy_since: sql(now),
      created_at: sql(now),
      updated_at: sql(now),
    })

    const page = await client.get('/storage').loginAs(admin)
    page.assertStatus(200)
    const html = page.text()
    assert.notInclude(html, '所有检查均已有第二份已校验副本')
    assert.include(html, '仅有一份已校验副本，均未超过')
    assert.include(html, '无法连接：该地址拒绝连接')
    // Orthanc's words only as the technical record (a tooltip), never as the page's text.
    const visible = html.replace(/title="[^"]*"/g, '')
    assert.notInclude(visible, 'ECONNREFUSED')
  })
})
