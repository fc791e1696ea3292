/** Props of {@link Sparkline}. */
export interface SparklineProps {
  values: readonly number[];
  width?: number;
  height?: number;
}

/** Event-rate sparkline as an SVG polyline (no inline styles; colour from CSS). */
export function Sparkline({ values, width = 120, height = 24 }: SparklineProps) {
  const max = Math.max(1, ...values);
  const step = values.length > 1 ? width / (values.length - 1) : width;
  const points = values
    .map((v, i) => `${(i * step).toFixed(1)},${(height - 1 - (v / max) * (height - 2)).toFixed(1)}`)
    .join(' ');
  return (
    <svg className="sparkline" width={width} height={height} viewBox={`0 0 ${width} ${height}`} aria-hidden="true">
      <polyline points={points} />
    </svg>
  );
}
