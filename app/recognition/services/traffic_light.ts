/** R 7.1's traffic light: green at or above the threshold, amber within 5 points below it, red further below (gap days: 0 green, ≤ threshold+1 amber). */
export type Light = 'green' | 'amber' | 'red' | 'none'

export function trafficLight(
  metric: string,
  value: number | null | undefined,
  threshold: number
): Light {
  if (value === null || value === undefined) return 'none'
  if (metric === 'continuity_gap_days') {
    if (value <= threshold) return 'green'
    return value <= threshold + 1 ? 'amber' : 'red'
  }
  if (value >= threshold) return 'green'
  return value >= threshold - 0.05 ? 'amber' : 'red'
}
