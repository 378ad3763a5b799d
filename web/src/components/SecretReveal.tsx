import { useEffect, useId, useRef, useState } from 'react';
import { Icon } from './icons';

/**
 * A secret the API returns exactly once (API key, webhook signing secret). It lives only in this
 * component's state: dismissing it, leaving the page or reloading loses it for good.
 */
export function SecretReveal({
  label,
  secret,
  onDismiss,
}: {
  label: string;
  secret: string;
  onDismiss: () => void;
}) {
  const id = useId();
  const [copied, setCopied] = useState<'idle' | 'copied' | 'failed'>('idle');
  const inputRef = useRef<HTMLInputElement>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    headingRef.current?.focus();
  }, []);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied('copied');
    } catch {
      inputRef.current?.select();
      setCopied('failed');
    }
  };

  return (
    <div className="secret" role="group" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`} tabIndex={-1} ref={headingRef}>
        <Icon name="warning" /> Copy your {label} now
      </h3>
      <p>It is shown this once and cannot be shown again. Store it somewhere safe.</p>
      <label htmlFor={`${id}-value`}>{label}</label>
      <div className="secret-row">
        <input
          id={`${id}-value`}
          ref={inputRef}
          className="mono"
          readOnly
          value={secret}
          autoComplete="off"
          spellCheck={false}
          onFocus={(event) => event.currentTarget.select()}
        />
        <button type="button" className="button" onClick={() => void copy()}>
          <Icon name={copied === 'copied' ? 'check' : 'copy'} /> Copy
        </button>
      </div>
      <p role="status" className="small">
        {copied === 'copied' && 'Copied to the clipboard.'}
        {copied === 'failed' &&
          'Could not copy: the text is selected, press Ctrl+C (⌘C) to copy it.'}
      </p>
      <button type="button" className="button primary" onClick={onDismiss}>
        I have stored it
      </button>
    </div>
  );
}
