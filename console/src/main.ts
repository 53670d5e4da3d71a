/** The console's entry: defines <s3i-console> and the elements it uses. */
import './app/console-app';

// `npm run dev -w console` serves the page from Vite's server: the API is the local stack's
// (its CORS allows this origin, serverless.yml provider.httpApi.cors).
if (import.meta.env.DEV) {
  const element = document.querySelector('s3i-console');
  if (element && !element.hasAttribute('api-url'))
    element.setAttribute('api-url', import.meta.env.VITE_API_URL ?? 'http://127.0.0.1:3000');
}
