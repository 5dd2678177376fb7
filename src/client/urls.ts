/**
 * The real service's addresses, in a module of their own so that settings code can name them
 * without loading the client.
 */

/** The real eLicznik host. */
export const DEFAULT_SERVICE_URL = 'https://elicznik.tauron-dystrybucja.pl';
/** The real login host. */
export const DEFAULT_LOGIN_URL = 'https://logowanie.tauron-dystrybucja.pl';
