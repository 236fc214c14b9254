/*
| Every capability's scheduled jobs register themselves in its own jobs.ts;
| this file only loads them (start/scheduler.ts runs them under the lease).
*/
import '#app/access/jobs'
import '#app/intake/jobs'
import '#app/administration/jobs'
import '#app/critical_values/jobs'
import '#app/audit/jobs'
import '#app/storage/jobs'
import '#app/recognition/jobs'
import '#app/consultation/jobs'
import '#app/interoperability/jobs'
import '#app/assessments/jobs'
