/*
| Routes are declared by each capability in app/<capability>/routes.ts.
| This file only loads them, in order.
*/
import '#app/platform/routes'
import '#app/access/routes'
import '#app/intake/routes'
import '#app/images/routes'
import '#app/administration/routes'
import '#app/audit/routes'
import '#app/equipment/routes'
import '#app/staffing/routes'
import '#app/critical_values/routes'
import '#app/reading/routes'
import '#app/storage/routes'
import '#app/approvals/routes'
import '#app/viewer/routes'
import '#app/quality/routes'
import '#app/recognition/routes'
import '#app/consultation/routes'
import '#app/interoperability/routes'
import '#app/assessments/routes'
