import type { SimulatorHandle } from '../../src/simulator';

/** Resolves once the simulator has received a credentials POST (the login form sent), polling every 5 ms. */
export async function credentialsPosted(sim: SimulatorHandle): Promise<void> {
  const posted = () =>
    Object.entries(sim.stats.requests).some(([p, n]) => p.endsWith('/login-actions/authenticate') && n > 0);
  while (!posted()) await new Promise((r) => setTimeout(r, 5));
}
