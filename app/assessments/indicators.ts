/*
| The assessments' own clinic indicators (app/platform/clinic_indicators.ts), for
| what the product already records: workload by modality, report turnaround
| against R 7.1.1, critical-value acknowledgement, connectivity (R 7.1.5, C 9.4),
| training (C 7.3.1) and staff-assessment coverage (C 9.3), spot checks drawn.
| Each answers for many clinics with one grouped query and links to the records
| page of this capability (app/assessments/services/indicator_records.ts).
*/
import { clinicIndicators } from '#app/platform/clinic_indicators'
import { assessmentIndicators } from '#app/assessments/services/own_indicators'

clinicIndicators.register(...assessmentIndicators)
