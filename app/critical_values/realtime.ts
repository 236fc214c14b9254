/*
| Critical values on the live channel: every socket that connects gets its
| open alerts again and may confirm receipt (socket.io delivers at most once;
| the alert is stored first, so a browser that was offline still gets it).
| Loaded by start/realtime.ts wherever the app serves HTTP.
*/
import app from '@adonisjs/core/services/app'
import { realtime } from '#app/realtime/realtime'
import { CriticalValueAlerts } from '#app/critical_values/services/critical_value_alerts'
import { receiptBook } from '#app/critical_values/services/receipt_book'

// Receipts still in the batch are written before the process ends.
app.terminating(() => receiptBook.flush())

realtime.onConnection(async (socket, user) => {
  const alerts = await app.container.make(CriticalValueAlerts)
  await alerts.attach(socket, user)
})
