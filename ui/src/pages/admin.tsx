// The administration pages (issue 15, item 7): #/admin (users), #/admin/users, #/admin/groups[/NAME],
// #/admin/tokens, #/admin/quotas[?user=NAME], #/admin/audit, all through the admin API
// (@datafiles/sdk's createAdminClient). Anyone else who opens them reads "administrators only".
import type { ComponentChildren } from 'preact';
import { AdminGate } from '../admin/access';
import { AuditSection } from '../admin/audit';
import { useAdminClient } from '../admin/client';
import { GroupDetails } from '../admin/groupDetails';
import { GroupsSection } from '../admin/groups';
import { QuotasSection } from '../admin/quotas';
import { TokensSection } from '../admin/tokens';
import { UsersSection } from '../admin/users';
import { href, useRoute } from '../router';

const SECTIONS = [
  ['users', 'Users'],
  ['groups', 'Groups'],
  ['tokens', 'Tokens'],
  ['quotas', 'Quotas'],
  ['audit', 'Audit log'],
] as const;
type Section = (typeof SECTIONS)[number][0];

function isSection(value: string | undefined): value is Section {
  return SECTIONS.some(([name]) => name === value);
}

export function AdminPage(props: { token: string; section: string | undefined }) {
  const route = useRoute();
  const admin = useAdminClient(props.token);
  const section: Section = isSection(props.section) ? props.section : 'users';
  const item = route.segments[2];

  let view: ComponentChildren;
  if (section === 'groups' && item !== undefined) view = <GroupDetails admin={admin} group={item} />;
  else if (section === 'groups') view = <GroupsSection admin={admin} />;
  else if (section === 'tokens') view = <TokensSection admin={admin} />;
  else if (section === 'quotas') view = <QuotasSection admin={admin} user={route.query.get('user') ?? undefined} />;
  else if (section === 'audit') view = <AuditSection admin={admin} />;
  else view = <UsersSection admin={admin} />;

  return (
    <div class="admin">
      <h1>Administration</h1>
      <AdminGate token={props.token}>
        <nav class="admin-tabs" aria-label="Administration">
          {SECTIONS.map(([name, label]) => (
            <a key={name} href={href('admin', name)} aria-current={name === section ? 'page' : undefined}>
              {label}
            </a>
          ))}
        </nav>
        {view}
      </AdminGate>
    </div>
  );
}
