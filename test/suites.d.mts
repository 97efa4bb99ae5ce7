/** Types of test/suites.mjs (plain JavaScript so that the jest configs can import it). */
export declare const UNIT: readonly string[];
export declare const SYSTEM_SUFFIX: string;
export declare function isUnit(rel: string): boolean;
export declare function unitPatterns(root: string): string[];
