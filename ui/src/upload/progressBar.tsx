// A progress bar that screen readers announce: role="progressbar" with its value in percent and a
// text naming the bytes. Its width is set through the CSSOM (style={{…}}), which the page's
// Content-Security-Policy allows, unlike a style attribute in the HTML.
export function ProgressBar(props: { label: string; value: number; max: number; text: string }) {
  const percent = props.max > 0 ? Math.min(100, (props.value / props.max) * 100) : 0;
  return (
    <div
      class="upload-bar"
      role="progressbar"
      aria-label={props.label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={Math.floor(percent)}
      aria-valuetext={props.text}
    >
      <div class="upload-bar-fill" style={{ width: `${percent}%` }} />
    </div>
  );
}
