// A file's page (issue 15, item 5). Placeholder until the page lands.
export function FilePage(props: { token: string; id: number }) {
  return <h1>File {props.id}</h1>;
}
