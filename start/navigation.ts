/*
| Where every capability shows up in the page shell (top bar, administrator's
| menu, home panels): each registers itself in app/<capability>/navigation.ts.
| The order here is only the order of loading; each link carries its own order.
*/
import '#app/intake/navigation'
import '#app/reading/navigation'
import '#app/critical_values/navigation'
import '#app/administration/navigation'
import '#app/staffing/navigation'
import '#app/equipment/navigation'
import '#app/storage/navigation'
import '#app/consultation/navigation'
import '#app/audit/navigation'
import '#app/approvals/navigation'
import '#app/access/navigation'
import '#app/quality/navigation'
import '#app/recognition/navigation'
import '#app/interoperability/navigation'
import '#app/assessments/navigation'
