// A read-only value with a copy button; a secret one stays masked until revealed (its clear value may
// have to be asked of the API first, which `reveal` does).
import { Check, Copy, Eye, EyeOff } from "lucide-react";
import { useId, useState } from "react";
import { useTranslation } from "react-i18next";
import { Button } from "./ui/button.tsx";
import { Input } from "./ui/input.tsx";
import { Label } from "./ui/label.tsx";

interface CopyFieldProps {
  label: string;
  /** The clear value, when known. */
  value: string | null;
  /** What is shown while the value is hidden (or not yet fetched). */
  masked?: string;
  /** Fetches the clear value of a secret; the field is secret when masked or reveal is given. */
  reveal?: () => Promise<string>;
  testId?: string;
}

export function CopyField({ label, value, masked, reveal, testId }: CopyFieldProps) {
  const { t } = useTranslation();
  const id = useId();
  const secret = masked !== undefined;
  const [shown, setShown] = useState(!secret);
  const [copied, setCopied] = useState(false);
  const [busy, setBusy] = useState(false);
  const visible = shown && value !== null ? value : (masked ?? value ?? "");

  const toggle = async () => {
    if (!shown && value === null && reveal) {
      setBusy(true);
      try {
        await reveal();
      } finally {
        setBusy(false);
      }
    }
    setShown(!shown);
  };
  const copy = async () => {
    const text = value ?? (reveal ? await reveal() : null);
    if (text === null) return;
    await navigator.clipboard.writeText(text);
    setCopied(true);
    setTimeout(() => setCopied(false), 1500);
  };

  return (
    <div className="space-y-1.5">
      <Label htmlFor={id} className="text-xs text-muted-foreground">
        {label}
      </Label>
      <div className="flex gap-2">
        <Input
          id={id}
          readOnly
          value={visible}
          data-testid={testId}
          data-revealed={secret ? shown && value !== null : undefined}
          className="font-mono text-xs"
          onFocus={(event) => event.currentTarget.select()}
        />
        {secret && (
          <Button
            type="button"
            variant="outline"
            size="icon"
            disabled={busy}
            onClick={() => void toggle()}
            aria-label={shown ? t("live.hide", { what: label }) : t("live.reveal", { what: label })}
            title={shown ? t("live.hide", { what: label }) : t("live.reveal", { what: label })}
          >
            {shown ? <EyeOff aria-hidden /> : <Eye aria-hidden />}
          </Button>
        )}
        <Button
          type="button"
          variant="outline"
          size="icon"
          disabled={value === null && !reveal}
          onClick={() => void copy()}
          aria-label={t("live.copy", { what: label })}
          title={t("live.copy", { what: label })}
        >
          {copied ? <Check aria-hidden className="text-success" /> : <Copy aria-hidden />}
        </Button>
      </div>
    </div>
  );
}
