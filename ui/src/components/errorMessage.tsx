// A failure, announced to screen readers (role="alert") and shown in the danger colour.
import { describeError } from '../errors';

export function ErrorMessage(props: { error: unknown }) {
  if (props.error === undefined || props.error === null) return null;
  return (
    <p class="error" role="alert">
      {describeError(props.error)}
    </p>
  );
}
