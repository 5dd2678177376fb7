/**
 * Answers in the exact shapes quoted in `elicznik-service.md`, completed where the notes shorten
 * them ("…"), for the parser tests.
 */

/** The G11 generation day of HA #249 (2026-03-10): 24 values, `allData` with `Status` and `WorkName`. */
export const G11_VALUES = [
  0, 0, 0, 0, 0, 0, 0.004, 0.065, 0.132, 0.301, 0.512, 0.688, 0.702, 0.611, 0.43, 0.205, 0.059, 0.015, 0, 0,
  0, 0, 0, 0,
];

export function g11DaySample(): Record<string, unknown> {
  const sum = 3.724;
  return {
    success: true,
    data: {
      values: [...G11_VALUES],
      zones: { '1': sum },
      sum,
      chartZones: { '1': new Array(24).fill(false) },
      labels: Array.from({ length: 24 }, (_, i) => i + 1),
      tooltipLabels: Array.from({ length: 24 }, (_, i) => `${i}:00 - ${i + 1}:00`),
      zonesName: { '1': 'Cała doba (T1)' },
      tariff: 'G11',
      workName: { '1': 'T1' },
      allData: G11_VALUES.map((v, i) => ({
        EC: String(v),
        Date: '2026-03-10T01:00:00.000+01:00',
        Hour: String(i + 1),
        Status: '0',
        Extra: 'N',
        Zone: '1',
        ZoneName: 'Cała doba',
        Taryfa: 'G11',
        WorkName: 'T1',
      })),
    },
  };
}

/** The empty G13 day of HA #204 (2025-01-03): all null, zeros in zones, 23 nulls against 24 labels. */
export function g13EmptyDaySample(): Record<string, unknown> {
  return {
    success: true,
    data: {
      values: new Array(23).fill(null),
      zones: { '1': 0, '2': 0, '3': 0 },
      sum: 0,
      chartZones: {
        '1': new Array(24).fill(false),
        '2': new Array(24).fill(false),
        '3': new Array(24).fill(false),
      },
      labels: Array.from({ length: 24 }, (_, i) => i + 1),
      zonesName: {
        '1': 'Szczyt przedpołudniowy (T1)',
        '2': 'Szczyt popołudniowy (T2)',
        '3': 'Reszta dnia (T3)',
      },
      tariff: 'G13',
    },
  };
}

/** A G12W day without `allData` (2023–2025 shape): `values` and `chartZones`, peak 6–13 and 15–22. */
export function g12wValuesOnlySample(): Record<string, unknown> {
  const peak = (i: number) => (i >= 6 && i < 13) || (i >= 15 && i < 22);
  return {
    success: true,
    data: {
      values: Array.from({ length: 24 }, (_, i) => (i === 23 ? null : Number((0.1 + i / 100).toFixed(3)))),
      zones: { '1': 2.1, '2': 1.2 },
      sum: 3.3,
      chartZones: {
        '1': Array.from({ length: 24 }, (_, i) => peak(i)),
        '2': Array.from({ length: 24 }, (_, i) => !peak(i)),
      },
      labels: Array.from({ length: 24 }, (_, i) => i + 1),
      zonesName: { '1': 'Szczyt (T1)', '2': 'Poza szczytem (T2)' },
      tariff: 'G12W',
    },
  };
}

/** The register answer quoted from the eltrue client (2026-01 data). */
export const REGISTER_SAMPLE = {
  success: true,
  data: [{ Date: '09.01.2026 23:59:59', C: 28969, S1: null, S2: null, S3: null }],
};

/** Builds CSV lines `Data; …` for hours of one day (hour-ending labels), one series. */
export function csvRows(
  date: string,
  labels: number[],
  kind: string,
  value: (label: number, index: number) => string,
  zone?: string,
): string[] {
  return labels.map((h, i) =>
    zone === undefined
      ? `${date} ${h}:00;${value(h, i)};${kind};`
      : `${date} ${h}:00;${zone};${value(h, i)};${kind};`,
  );
}
