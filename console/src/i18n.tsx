/** The current language's translator, handed down by context. */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { translator, type Translate } from './translate.js';

export const I18n = createContext<{ lang: string; t: Translate }>({ lang: 'en', t: translator('en') });
export const useI18n = () => useContext(I18n);
