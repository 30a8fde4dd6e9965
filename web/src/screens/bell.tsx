/**
 * The bell: the person's notifications of the last 30 days (GET /people/{id}/notifications),
 * a dot with the count not yet seen (remembered on this device), the list in a sheet.
 */
import { useState } from "preact/hooks";
import { type Answer, useResource } from "../api.ts";
import { dateLabel, timeLabel } from "../format.ts";
import { Icon, Sheet, useApp } from "../ui.tsx";

const seenKey = "laurel.bell.seen";

export function Bell() {
  const { t, lang, session } = useApp();
  const bell = useResource<Answer<"bell">>(`/people/${encodeURIComponent(session.personId)}/notifications`);
  const [open, setOpen] = useState(false);
  const [seen, setSeen] = useState(() => localStorage.getItem(seenKey) ?? "");
  const items = bell.data?.items ?? [];
  const unread = items.filter((item) => item.at > seen).length;
  const show = () => {
    const newest = items[0]?.at ?? seen;
    localStorage.setItem(seenKey, newest);
    setSeen(newest);
    setOpen(true);
  };
  return (
    <>
      <button type="button" class="icon-button bell" onClick={show} aria-label={unread ? t.bellUnread(unread) : t.bell} title={t.bell}>
        <Icon name="bell" size={20} />
        {unread > 0 && <span class="bell-dot">{unread > 9 ? "9+" : unread}</span>}
      </button>
      {open && (
        <Sheet title={t.bell} onClose={() => setOpen(false)}>
          {items.length === 0 ? (
            <p class="hint">{t.bellEmpty}</p>
          ) : (
            <ul class="bell-list">
              {items.map((item) => (
                <li key={item.id} class={item.colour ? `warning-${item.colour}` : undefined}>
                  <strong>{item[lang].title}</strong>
                  <span>{item[lang].text}</span>
                  <time dateTime={item.at}>
                    {dateLabel(lang, item.at)} {timeLabel(lang, item.at)}
                  </time>
                </li>
              ))}
            </ul>
          )}
        </Sheet>
      )}
    </>
  );
}
