import CriticalValue from '#models/critical_value'
import CriticalFinding from '#models/critical_finding'
import { can } from '#app/platform/http/can'
import { recordById, type RecordLoader } from '#app/platform/http/use_case'

/*
| Critical values' pipeline steps. The rules are CriticalValuePolicy's; another
| clinic's critical value is answered exactly like a missing one (404).
*/
export const mayUseRegistry = can('CriticalValuePolicy', 'registry')
export const mayRaise = can('CriticalValuePolicy', 'raise')
export const mayConfirm = can('CriticalValuePolicy', 'confirm')
export const mayAcknowledge = can('CriticalValuePolicy', 'acknowledge')
export const mayRecordCall = can('CriticalValuePolicy', 'recordCall')
export const mayManageCriticalValues = can('CriticalValuePolicy', 'manage')

export const criticalValueTarget: RecordLoader<CriticalValue> = {
  ...recordById('critical_value', (id) => CriticalValue.find(id)),
  visible: (ctx, value) => (ctx as any).bouncer.with('CriticalValuePolicy').allows('view', value),
}

export const criticalFindingTarget = recordById('critical_finding', (id) =>
  CriticalFinding.find(id)
)
