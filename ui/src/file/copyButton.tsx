// A value with a button that copies it to the clipboard (a hash, say). The Clipboard API needs a
// secure context (https, or a loopback address); elsewhere the value is selected for Ctrl+C.
import { useRef, useState } from 'preact/hooks';

export function CopyValue(props: { label: string; value: string }) {
  const code = useRef<HTMLElement>(null);
  const [status, setStatus] = useState('');

  const selectValue = () => {
    const element = code.current;
    const selection = getSelection();
    if (!element || !selection) return;
    const range = document.createRange();
    range.selectNodeContents(element);
    selection.removeAllRanges();
    selection.addRange(range);
  };

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.value);
      setStatus('Copied.');
    } catch {
      selectValue();
      setStatus('Selected: press Ctrl+C (⌘C) to copy.');
    }
  };

  return (
    <span class="copy-value">
      <code ref={code}>{props.value}</code>
      <button type="button" class="small" onClick={() => void copy()} aria-label={`Copy ${props.label}`}>
        Copy
      </button>
      <span class="status" role="status">
        {status}
      </span>
    </span>
  );
}
