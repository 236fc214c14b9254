import { can } from '#app/platform/http/can'
import { recordById } from '#app/platform/http/use_case'
import { FhirDelivery } from '#app/interoperability/push/push_models'

/*
| Interoperability's pipeline steps for people: the recognition platform's
| endpoint and the delivery log are the system administrator's (the same
| ability as the DICOM senders and institutions).
*/
export const mayManageInteroperability = can('AdministrationPolicy', 'manage')

export const deliveryTarget = recordById('fhir_delivery', (id) => FhirDelivery.find(id))
