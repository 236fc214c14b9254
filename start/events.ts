/*
| Domain events (app/platform/domain_events.ts): capabilities subscribe in
| their own app/<capability>/events.ts, loaded here. None yet: the quality,
| recognition, consultation and interoperability capabilities add theirs.
*/
import '#app/quality/events'
import '#app/recognition/events'
import '#app/consultation/events'
import '#app/interoperability/events'
