import type { HttpContext } from '@adonisjs/core/http'
import { navigation } from '#app/platform/navigation'
import { useCase } from '#app/platform/http/use_case'

/** The first page after login: what this person has to do now, one panel per capability. */
export default class HomeController {
  show(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'home.view',
      run: async ({ user }) => ({
        panels: await navigation.homePanels(user),
        menu: navigation.menu(user),
      }),
      page: (state) => ctx.view.render('pages/home', state),
    })
  }
}
