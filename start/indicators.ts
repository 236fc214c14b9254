/*
| Every capability's clinic indicators (app/platform/clinic_indicators.ts)
| register themselves in app/<capability>/indicators.ts, loaded here.
| None yet: quality control, recognition, consultation and the assessments add theirs.
*/
import '#app/consultation/indicators'
