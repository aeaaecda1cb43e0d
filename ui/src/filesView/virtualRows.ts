// Virtual scrolling for the files table: only the rows in (and near) the scrolled window are in
// the DOM, so 10,000 files scroll as smoothly as 10. Rows have one fixed height (app.css,
// "Files view"), which makes the window a division instead of a measurement. Hand-written: the
// arithmetic is a dozen lines, less than any library's adapter to Preact.
import { useEffect, useState } from 'preact/hooks';
import type { RefObject } from 'preact';

export const ROW_HEIGHT = 40;
/** Rows rendered beyond each edge of the window, so a fast scroll does not show blank space. */
const OVERSCAN = 10;

export function useWindow(scroller: RefObject<HTMLElement | null>, count: number): { first: number; last: number } {
  const [range, setRange] = useState({ top: 0, height: 800 });
  useEffect(() => {
    const element = scroller.current;
    if (!element) return;
    let frame = 0;
    const measure = () => {
      frame = 0;
      setRange({ top: element.scrollTop, height: element.clientHeight });
    };
    const onScroll = () => {
      if (frame === 0) frame = requestAnimationFrame(measure);
    };
    measure();
    element.addEventListener('scroll', onScroll, { passive: true });
    const resize = new ResizeObserver(onScroll);
    resize.observe(element);
    return () => {
      element.removeEventListener('scroll', onScroll);
      resize.disconnect();
      if (frame !== 0) cancelAnimationFrame(frame);
    };
  }, [scroller]);
  const first = Math.max(0, Math.floor(range.top / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(count, Math.ceil((range.top + range.height) / ROW_HEIGHT) + OVERSCAN);
  return { first, last };
}
