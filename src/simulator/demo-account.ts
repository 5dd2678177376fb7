import type { SimAccount } from './types';

/**
 * The demo account: `demo@example.com` / `demo`, with a G11 prosumer (6 kWp), a G12W prosumer
 * (9 kWp) and a business (`WO`) point on C11 with 15 kWp.
 */
export const DEMO_ACCOUNT: SimAccount = {
  username: 'demo@example.com',
  password: 'demo',
  meterPoints: [
    {
      id: '600123456_60123456_7123456',
      ppe: '590322400100123456',
      type: '',
      tariff: 'G11',
      pvKw: 6,
      name: 'ul. Słoneczna 12, 30-001 Kraków',
    },
    {
      id: '600223344_60223344_7223344',
      ppe: '590322400100223344',
      type: '',
      tariff: 'G12W',
      pvKw: 9,
      name: 'ul. Polna 5, 32-020 Wieliczka',
    },
    {
      id: '600334455_60334455_7334455',
      ppe: '590322400100334455',
      type: 'WO',
      tariff: 'C11',
      pvKw: 15,
      name: 'ul. Przemysłowa 8, 41-200 Sosnowiec',
    },
  ],
};
