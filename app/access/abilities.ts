/*
| Bouncer abilities that are not about one record. Record-level rules live in
| each capability's policy (registered in ./policies.ts).
*/
import { isSystemAdministrator } from '#app/access/roles'
import { Bouncer } from '@adonisjs/bouncer'
import type User from '#models/user'

export const administer = Bouncer.ability((user: User) => isSystemAdministrator(user))

export const abilities = { administer }
