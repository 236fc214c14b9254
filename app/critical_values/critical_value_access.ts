import CriticalValue from '#models/critical_value'
import CriticalFinding from '#models/critical_finding'
import { can } from '#app/platform/http/can'
import { numericParam, type RecordLoader } from '#app/platform/http/use_case'

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
  type: 'critical_value',
  find: async (ctx) => (numericParam(ctx) ? CriticalValue.find(numericParam(ctx)!) : null),
  visible: (ctx, value) => (ctx as any).bouncer.with('CriticalValuePolicy').allows('view', value),
}

export const criticalFindingTarget: RecordLoader<CriticalFinding> = {
  type: 'critical_finding',
  find: async (ctx) => (numericParam(ctx) ? CriticalFinding.find(numericParam(ctx)!) : null),
}
