/**
 * The routes, with French paths. Every page but the search is loaded on demand; each page is a
 * view in src/views/, so filling a page never needs a change here.
 */
import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import SearchView from './views/SearchView.vue'

const routes: RouteRecordRaw[] = [
  { path: '/', name: 'search', component: SearchView },
  { path: '/annonces/:id', name: 'listing', component: () => import('./views/ListingView.vue'), props: true },
  { path: '/publier', name: 'publish', component: () => import('./views/PublishView.vue') },
  { path: '/annonces/:id/modifier', name: 'listing-edit', component: () => import('./views/ListingEditView.vue'), props: true },
  { path: '/lieux', name: 'places', component: () => import('./views/PlacesView.vue') },
  { path: '/lieux/:id', name: 'place', component: () => import('./views/PlaceView.vue'), props: true },
  { path: '/territoires/:code', name: 'territory', component: () => import('./views/TerritoryView.vue'), props: true },
  { path: '/mon-organisation', name: 'my-organization', component: () => import('./views/MyOrganizationView.vue') },
  { path: '/bienvenue', name: 'welcome', component: () => import('./views/WelcomeView.vue') },
  { path: '/organisations/nouvelle', name: 'organization-create', component: () => import('./views/OrganizationCreateView.vue') },
  { path: '/organisations/:id', name: 'organization', component: () => import('./views/OrganizationView.vue'), props: true },
  { path: '/echanges', name: 'inbox', component: () => import('./views/InboxView.vue') },
  { path: '/echanges/:id', name: 'exchange', component: () => import('./views/ExchangeView.vue'), props: true },
  { path: '/passeport', name: 'passport', component: () => import('./views/PassportView.vue') },
  { path: '/alertes', name: 'alerts', component: () => import('./views/AlertsView.vue') },
  { path: '/notifications', name: 'notifications', component: () => import('./views/NotificationsView.vue') },
  { path: '/invitation', name: 'invitation', component: () => import('./views/InvitationView.vue') },
  { path: '/connexion', name: 'signin', component: () => import('./views/SignInView.vue') },
  { path: '/:pathMatch(.*)*', name: 'not-found', component: () => import('./views/NotFoundView.vue') },
]

export const router = createRouter({
  history: createWebHistory(),
  routes,
  scrollBehavior(to, from, saved) {
    if (saved) return saved
    // Within the search or the places, changing a filter or a page keeps the place on screen.
    if (to.name === from.name && (to.name === 'search' || to.name === 'places')) return false
    return { top: 0 }
  },
})

/** A same-site path to come back to after signing in; anything else falls back to `/`. */
export function safeNext(value: unknown): string {
  return typeof value === 'string' && /^\/(?![/\\])[^\s\\]{0,400}$/.test(value) ? value : '/'
}
