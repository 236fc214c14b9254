/*
| Every capability's clinic indicators (app/platform/clinic_indicators.ts)
| register themselves in app/<capability>/indicators.ts, loaded here.
*/
import '#app/quality/indicators'
import '#app/recognition/indicators'
import '#app/consultation/indicators'
import '#app/assessments/indicators'
