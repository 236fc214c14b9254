import app from '@adonisjs/core/services/app'
import { OrthancClient } from './orthanc_client.js'

/** The central Orthanc (lead hospital), as configured. */
export async function centralOrthanc() {
  return app.container.make(OrthancClient)
}
