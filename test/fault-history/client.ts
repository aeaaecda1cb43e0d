// One client of the fault history (issue 16 item 5): a user doing random operations, each through
// a server picked at random, and checking every answer against the model (model.ts). Its files
// are its own (others only read them, when public), so its view of each is a sequence. Before a
// write is sent, its effect is recorded as possible (another client may read it meanwhile); an
// acknowledgement makes it certain.
import type { FaultCluster } from './cluster.js';
import { send, type Outcome, type Request } from './http.js';
import { contentOf, type Content, type FileModel, type Model, type Tally } from './model.js';
import type { Seeded } from './seeded.js';
import { API, fileForm } from '../support/server.js';

export const OPERATIONS = {
  upload: 16,
  revision: 14,
  multipart: 10,
  delete: 5,
  details: 12,
  list: 8,
  download: 18,
  permissions: 4,
  peek: 6,
} as const;

type Operation = keyof typeof OPERATIONS;

/** Live files one client keeps at most (more: a delete instead of an upload). */
const MAX_FILES = 16;

export class FaultClient {
  readonly files: FileModel[] = [];
  private counter = 0;

  constructor(
    readonly index: number,
    readonly token: string,
    private readonly cluster: FaultCluster,
    private readonly model: Model,
    private readonly tally: Tally,
    private readonly rng: Seeded,
    private readonly everyone: () => FaultClient[],
  ) {}

  async run(until: number): Promise<void> {
    while (Date.now() < until) {
      let operation = this.rng.weighted(OPERATIONS);
      if (operation === 'upload' && this.live().length >= MAX_FILES) operation = 'delete';
      this.tally.count(this.tally.operations, operation);
      await this[operation]();
    }
  }

  private live(): FileModel[] {
    return this.files.filter((file) => file.deleted === 'no');
  }

  private send(operation: Operation, request: Omit<Request, 'token'>): Promise<Outcome> {
    return send(this.cluster, this.tally, this.rng, operation, { ...request, token: this.token });
  }

  private wrong(operation: Operation, outcome: Outcome & { kind: 'answer' }, expected: string): void {
    this.tally.violation(
      `unexpected ${operation} answer`,
      `client ${this.index}: ${outcome.status} ${outcome.body.toString().slice(0, 300)}; expected ${expected}`,
    );
  }

  private newContent(label: string, maxBytes = 256 * 1024): { bytes: Buffer; content: Content; name: string } {
    const name = `c${this.index}-${label}-${(this.counter += 1)}.bin`;
    const bytes = this.rng.bytes(this.rng.int(1, maxBytes), name);
    return { bytes, content: contentOf(bytes), name };
  }

  async upload(): Promise<void> {
    const { bytes, content, name } = this.newContent('upload');
    const outcome = await this.send('upload', { method: 'POST', path: `${API}?name=${name}`, body: fileForm(bytes, name) });
    if (outcome.kind === 'uncertain') this.model.pending.push({ name, content, outcome: 'maybe' });
    else if (outcome.status === 200) this.files.push(this.model.created(outcome.json.dataFileId, name, content));
    else this.wrong('upload', outcome, '200');
  }

  async revision(): Promise<void> {
    const file = this.live().length > 0 ? this.rng.pick(this.live()) : undefined;
    if (!file) return this.upload();
    const { bytes, content } = this.newContent(`revision-of-${file.id}`);
    file.uncertain.push(content);
    const outcome = await this.send('revision', { method: 'PUT', path: `${API}/${file.id}`, body: fileForm(bytes, file.name) });
    if (outcome.kind === 'uncertain') return;
    if (outcome.status === 200) {
      file.uncertain.splice(file.uncertain.indexOf(content), 1);
      file.acked.push(content);
    } else this.wrong('revision', outcome, '200');
  }

  async multipart(): Promise<void> {
    const { bytes, content, name } = this.newContent('multipart', 400 * 1024);
    // Until committed, the file must not exist; the commit's own uncertainty is recorded below.
    const pending = { name, content, outcome: 'never' as 'maybe' | 'never' };
    this.model.pending.push(pending);
    const created = await this.send('multipart', {
      method: 'POST',
      path: `${API}/multipart`,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name, contentType: 'application/octet-stream' }),
    });
    if (created.kind === 'uncertain') return;
    if (created.status !== 200) return this.wrong('multipart', created, '200 from the session create');
    const sessionId = created.json.sessionId as string;
    const parts = this.rng.int(1, 4);
    const partSize = Math.ceil(bytes.length / parts);
    for (let index = 1; index <= parts; index += 1) {
      const part = bytes.subarray((index - 1) * partSize, index * partSize);
      let stored = false;
      for (let attempt = 0; attempt < 4 && !stored; attempt += 1) {
        const put = await this.send('multipart', {
          method: 'PUT',
          path: `${API}/multipart/${sessionId}/part/${index}`,
          headers: { 'content-type': 'application/octet-stream' },
          body: part as BodyInit,
        });
        if (put.kind === 'answer' && put.status === 200) stored = true;
        else if (put.kind === 'answer') return this.wrong('multipart', put, '200 from a part upload');
      }
      if (!stored) return; // abandoned: the session's sweep will expire it
    }
    // Now and then a session is left open on purpose, for the session sweep.
    if (this.rng.next() < 0.1) return;
    pending.outcome = 'maybe';
    const committed = await this.send('multipart', {
      method: 'POST',
      path: `${API}/multipart/${sessionId}/commit`,
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    if (committed.kind === 'uncertain') return;
    if (committed.status !== 200) return this.wrong('multipart', committed, '200 from the commit');
    this.model.pending.splice(this.model.pending.indexOf(pending), 1);
    this.files.push(this.model.created(committed.json.dataFileId ?? committed.json.id, name, content));
  }

  async delete(): Promise<void> {
    const candidates = this.files.filter((file) => file.deleted !== 'yes');
    if (candidates.length === 0) return;
    const file = this.rng.pick(candidates);
    const before = file.deleted;
    file.deleted = 'maybe';
    const outcome = await this.send('delete', { method: 'DELETE', path: `${API}/${file.id}` });
    if (outcome.kind === 'uncertain') return;
    if (outcome.status === 200 || (outcome.status === 404 && before === 'maybe')) file.deleted = 'yes';
    else this.wrong('delete', outcome, before === 'maybe' ? '200 or 404' : '200');
  }

  /** Checks what a server said of one of this client's files against the model. */
  checkDetails(file: FileModel, details: any, what: string): void {
    const possible = this.model.possibleCurrent(file);
    const known = this.model.knownContents(file);
    if (file.deleted === 'yes') this.tally.violation('deleted file visible', `${what}: file ${file.id} was deleted (acknowledged)`);
    if (!possible.has(details.currentRevision?.sha256HashValue))
      this.tally.violation('wrong current revision', `${what}: file ${file.id} current ${details.currentRevision?.sha256HashValue}`);
    for (const revision of [details.currentRevision, ...(details.revisions ?? [])]) {
      const content = known.get(revision.sha256HashValue);
      if (!content || content.md5 !== revision.md5Hash || content.sizeBytes !== revision.sizeBytes)
        this.tally.violation('unknown revision', `${what}: file ${file.id} revision ${JSON.stringify(revision)}`);
    }
    if (details.revisions) {
      const listed = new Set(details.revisions.map((revision: any) => revision.sha256HashValue));
      for (const content of file.acked)
        if (!listed.has(content.sha256)) this.tally.violation('acknowledged revision lost', `${what}: file ${file.id} lacks ${content.sha256}`);
    }
  }

  private someFile(): FileModel | undefined {
    return this.files.length > 0 ? this.rng.pick(this.files) : undefined;
  }

  async details(): Promise<void> {
    const file = this.someFile();
    if (!file) return;
    const outcome = await this.send('details', { method: 'GET', path: `${API}/${file.id}/details?expand=revisions` });
    if (outcome.kind === 'uncertain') return;
    if (outcome.status === 200) this.checkDetails(file, outcome.json, 'details');
    else if (!(outcome.status === 404 && file.deleted !== 'no')) this.wrong('details', outcome, file.deleted === 'no' ? '200' : '200 or 404');
  }

  async list(): Promise<void> {
    const files = this.files.slice(-20);
    if (files.length === 0) return;
    const outcome = await this.send('list', {
      method: 'GET',
      path: `${API}/details?limitToOwned=false&expand=revisions&ids=${files.map((file) => file.id).join(',')}`,
    });
    if (outcome.kind === 'uncertain') return;
    if (outcome.status !== 200) return this.wrong('list', outcome, '200');
    const listed = new Map<number, any>((outcome.json as any[]).map((details) => [details.dataFileId, details]));
    for (const file of files) {
      const details = listed.get(file.id);
      if (details) this.checkDetails(file, details, 'list');
      else if (file.deleted === 'no') this.tally.violation('acknowledged file not listed', `list: file ${file.id}`);
    }
  }

  /** Downloads a file's current revision as `token`'s user: its content, or its status. */
  async fetchCurrent(operation: Operation, file: FileModel): Promise<Outcome> {
    return this.send(operation, { method: 'GET', path: `${API}/${file.id}` });
  }

  async download(): Promise<void> {
    const file = this.someFile();
    if (!file) return;
    const outcome = await this.fetchCurrent('download', file);
    if (outcome.kind === 'uncertain') return;
    if (outcome.status === 200) {
      const got = contentOf(outcome.body);
      if (!this.model.possibleCurrent(file).has(got.sha256) || file.deleted === 'yes')
        this.tally.violation('wrong bytes', `download: file ${file.id} (deleted ${file.deleted}) served ${got.sha256}, ${got.sizeBytes} bytes`);
    } else if (!(outcome.status === 404 && file.deleted !== 'no')) this.wrong('download', outcome, '200');
  }

  async permissions(): Promise<void> {
    const file = this.live().length > 0 ? this.rng.pick(this.live()) : undefined;
    if (!file) return;
    const value = this.rng.next() < 0.5;
    file.publicAccess.add(value);
    const outcome = await this.send('permissions', {
      method: 'PUT',
      path: `${API}/${file.id}/permissions`,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ publicAccess: value }),
    });
    if (outcome.kind === 'uncertain') return;
    if (outcome.status === 200) file.publicAccess = new Set([value]);
    else if (!(outcome.status === 404 && file.deleted !== 'no')) this.wrong('permissions', outcome, '200');
  }

  /**
   * Reads another client's file: served (whole, one of its revisions) only if it may be public,
   * hidden (404) only if it may be private or deleted. Its owner may change it meanwhile, so what
   * it may be is taken both before the request and after the answer.
   */
  async peek(): Promise<void> {
    const others = this.everyone().filter((client) => client !== this && client.files.length > 0);
    if (others.length === 0) return;
    const owner = this.rng.pick(others);
    // Half the time a file that may be public, so that both answers are seen.
    const shared = owner.files.filter((candidate) => candidate.publicAccess.has(true));
    const file = this.rng.pick(shared.length > 0 && this.rng.next() < 0.5 ? shared : owner.files);
    const publicBefore = new Set(file.publicAccess);
    const deletedBefore = file.deleted;
    const outcome = await this.fetchCurrent('peek', file);
    if (outcome.kind === 'uncertain') return;
    const maybePublic = publicBefore.has(true) || file.publicAccess.has(true);
    const maybePrivate = publicBefore.has(false) || file.publicAccess.has(false);
    const mayServe = maybePublic && (deletedBefore !== 'yes' || file.deleted !== 'yes');
    const mayHide = maybePrivate || deletedBefore !== 'no' || file.deleted !== 'no';
    if (outcome.status === 200 && mayServe) {
      const got = contentOf(outcome.body);
      if (this.model.knownContents(file).get(got.sha256)?.sizeBytes !== got.sizeBytes) this.tally.violation('wrong bytes', `peek: file ${file.id}`);
    } else if (!(outcome.status === 404 && mayHide)) this.wrong('peek', outcome, `${mayServe ? '200' : ''}${mayHide ? ' 404' : ''} for file ${file.id}`);
  }
}
