import { can } from '#app/platform/http/can'

/*
| Who may enter each part of reading, as pipeline steps (`allow: mayRead`).
| The rules themselves are ReadingPolicy's; views ask the same abilities with @can.
*/
export const mayRead = can('ReadingPolicy', 'read')
export const mayMaintainTemplates = can('ReadingPolicy', 'maintainTemplates')
export const mayConfigureReading = can('ReadingPolicy', 'configure')
export const maySeeReports = can('ReadingPolicy', 'seeReports')
