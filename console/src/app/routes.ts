/**
 * The console's screens as hash routes (#/integrations/new), so a host page needs no server
 * routes and a reload or a shared link opens the same screen.
 */

/** A screen and what it needs from the address (the integration it shows, the region to preselect). */
export type Route =
  | { screen: 'integrations' }
  | { screen: 'new-integration'; region?: string }
  | { screen: 'validation'; integrationId: string }
  | { screen: 'integration'; integrationId: string }
  | { screen: 'exports' }
  | { screen: 'forwarding' }
  | { screen: 'sign-in' };

export function parseRoute(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#\/?/, '').split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const params = new URLSearchParams(query);
  if (parts[0] === 'sign-in') return { screen: 'sign-in' };
  if (parts[0] === 'exports') return { screen: 'exports' };
  if (parts[0] === 'forwarding') return { screen: 'forwarding' };
  if (parts[0] === 'integrations' && parts[1] === 'new') {
    const region = params.get('region');
    return region ? { screen: 'new-integration', region } : { screen: 'new-integration' };
  }
  if (parts[0] === 'integrations' && parts[1] && parts[2] === 'validation')
    return { screen: 'validation', integrationId: parts[1] };
  if (parts[0] === 'integrations' && parts[1]) return { screen: 'integration', integrationId: parts[1] };
  return { screen: 'integrations' };
}

export const routes = {
  integrations: '#/integrations',
  newIntegration: (region?: string) => `#/integrations/new${region ? `?region=${encodeURIComponent(region)}` : ''}`,
  validation: (integrationId: string) => `#/integrations/${encodeURIComponent(integrationId)}/validation`,
  integration: (integrationId: string) => `#/integrations/${encodeURIComponent(integrationId)}`,
  exports: '#/exports',
  forwarding: '#/forwarding',
  signIn: '#/sign-in',
};
