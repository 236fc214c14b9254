/*
| Every capability's clinic indicators (app/platform/clinic_indicators.ts)
| register themselves in app/<capability>/indicators.ts, loaded here.
| Quality control, recognition and consultation add theirs.
*/
import '#app/assessments/indicators'
