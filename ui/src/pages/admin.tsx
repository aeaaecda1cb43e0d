// The administration pages (issue 15, item 7). Placeholder until the pages land.
export function AdminPage(_props: { token: string; section: string | undefined }) {
  return <h1>Administration</h1>;
}
