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
import '#app/assessments/routes'
