/**
 * A day typed as dd/mm/yyyy (the format is stated beside the field), not a date input: a date
 * input shows the browser's locale's format, mm/dd/yyyy under an American one, whatever the page's
 * language. The value is the text as typed; parseDay (format.ts) reads it.
 */
import { useI18n } from './i18n.js';

export function DayField(props: {
  id: string;
  label: string;
  value: string;
  onInput: (text: string) => void;
  invalid: boolean;
  required?: boolean;
}) {
  const { t } = useI18n();
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      <input
        id={props.id}
        type="text"
        inputMode="numeric"
        placeholder={t('audit.dayFormat')}
        aria-describedby={`${props.id}-format`}
        aria-invalid={props.invalid ? 'true' : undefined}
        value={props.value}
        onInput={(e) => props.onInput(e.currentTarget.value)}
        required={props.required}
        size={10}
        maxLength={10}
      />
      <span id={`${props.id}-format`} class="hint">
        {t('audit.dayFormat')}
      </span>
    </div>
  );
}
