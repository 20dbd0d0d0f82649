import type { ModelSummary } from './types';

/** A hypothetical cloud price, per million tokens. Editable in settings; these are simulations, not quotes. */
export interface PriceEntry {
  name: string;
  inputPerMTok: number;
  outputPerMTok: number;
}

/** Example prices for the simulation (USD per 1M tokens), to be replaced by the user's own in settings. */
export const DEFAULT_PRICES: PriceEntry[] = [
  { name: 'Small hosted model (example)', inputPerMTok: 0.15, outputPerMTok: 0.6 },
  { name: 'Large hosted model (example)', inputPerMTok: 2.5, outputPerMTok: 10 },
];

export interface EnergySettings {
  /** The device's power draw while generating, in watts (the user's figure; nothing is measured). */
  devicePowerWatts?: number;
  /** Electricity price per kWh. */
  pricePerKWh?: number;
}

export interface CostSimulation {
  model: string;
  /** What this run's tokens would cost at each price. */
  cloud: { name: string; cost: number; per1kRequests: number }[];
  /** Energy for the time the model spent answering: power × busy time. Only with a power figure. */
  local?: { kWh: number; cost?: number; per1kRequests?: number };
  requests: number;
}

export function validPrices(raw: unknown): PriceEntry[] {
  if (!Array.isArray(raw)) return DEFAULT_PRICES;
  const ok = raw.filter(
    (p): p is PriceEntry =>
      !!p && typeof p.name === 'string' && Number.isFinite(p.inputPerMTok) && p.inputPerMTok >= 0 && Number.isFinite(p.outputPerMTok) && p.outputPerMTok >= 0,
  );
  return ok.length ? ok : DEFAULT_PRICES;
}

export function simulateCost(summary: ModelSummary, prices: PriceEntry[], energy: EnergySettings = {}): CostSimulation {
  const requests = summary.ok + summary.failed;
  const cloud = prices.map((p) => {
    const cost = (summary.totalPromptTokens * p.inputPerMTok + summary.totalCompletionTokens * p.outputPerMTok) / 1e6;
    return { name: p.name, cost, per1kRequests: requests ? (cost / requests) * 1000 : 0 };
  });
  const sim: CostSimulation = { model: summary.requested, cloud, requests };
  if (energy.devicePowerWatts && energy.devicePowerWatts > 0) {
    const kWh = (energy.devicePowerWatts * summary.busySeconds) / 3600 / 1000;
    sim.local = { kWh };
    if (energy.pricePerKWh !== undefined && energy.pricePerKWh >= 0) {
      sim.local.cost = kWh * energy.pricePerKWh;
      sim.local.per1kRequests = requests ? (sim.local.cost / requests) * 1000 : 0;
    }
  }
  return sim;
}
