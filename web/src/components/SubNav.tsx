import { NavLink } from 'react-router';

/** A section's own navigation (tabs-like list of links; plain links keep the URL the source of truth). */
export function SubNav({
  label,
  entries,
}: {
  label: string;
  entries: ReadonlyArray<{ to: string; label: string }>;
}) {
  return (
    <nav className="sub-nav" aria-label={label}>
      <ul>
        {entries.map((entry) => (
          <li key={entry.to}>
            <NavLink to={entry.to}>{entry.label}</NavLink>
          </li>
        ))}
      </ul>
    </nav>
  );
}
