import type { ReportLang, Warning, WarningCode } from './report-model';

/**
 * Every word of the report, in each language it is sold in (English, Japanese), and the
 * number, date and percent formats that go with it. report.html is written from these;
 * report.json's warning `message` is the English sentence, and its `code` + `params` let any
 * reader write its own.
 */
export const LANGS: readonly ReportLang[] = ['en', 'ja'];

export function reportLang(lang: string | undefined): ReportLang {
  const base = (lang ?? 'en').toLowerCase().split(/[-_]/)[0];
  return base === 'ja' ? 'ja' : 'en';
}

const LOCALES: Record<ReportLang, string> = { en: 'en-US', ja: 'ja-JP' };

export interface Formats {
  count(n: number): string;
  number(n: number): string;
  percent(share: number): string;
  bytes(n: number): string;
  dateTime(iso: string): string;
}

const FORMATS = new Map<ReportLang, Formats>();

/** The language's formats, made once: each Intl constructor takes about a millisecond. */
export function formats(lang: ReportLang): Formats {
  let made = FORMATS.get(lang);
  if (made === undefined) {
    made = makeFormats(lang);
    FORMATS.set(lang, made);
  }
  return made;
}

function makeFormats(lang: ReportLang): Formats {
  const locale = LOCALES[lang];
  const whole = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
  const sig = new Intl.NumberFormat(locale, { maximumSignificantDigits: 6 });
  const fixed = new Intl.NumberFormat(locale, { maximumFractionDigits: 2 });
  const dt = new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeStyle: 'short', timeZone: 'UTC' });
  return {
    count: (n) => whole.format(n),
    number: (n) => {
      if (!Number.isFinite(n)) return '—';
      const a = Math.abs(n);
      if (a !== 0 && (a >= 1e15 || a < 1e-6)) return n.toExponential(3);
      return a >= 1000 ? fixed.format(n) : sig.format(n);
    },
    percent: (share) => {
      const p = share * 100;
      const text = p >= 10 || p === 0 ? whole.format(Math.round(p)) : fixed.format(Number(p.toFixed(1)));
      return `${text} %`;
    },
    bytes: (n) => {
      // Binary multiples say so (KiB, MiB, GiB), as the upload limit and the pages do.
      if (n >= 1024 ** 3) return `${fixed.format(n / 1024 ** 3)} GiB`;
      if (n >= 1024 ** 2) return `${fixed.format(n / 1024 ** 2)} MiB`;
      if (n >= 1024) return `${fixed.format(n / 1024)} KiB`;
      return lang === 'ja' ? `${whole.format(n)} バイト` : `${whole.format(n)} bytes`;
    },
    dateTime: (iso) => {
      const d = new Date(iso);
      return Number.isNaN(d.getTime()) ? iso : `${dt.format(d)} UTC`;
    },
  };
}

type Params = Warning['params'];
const num = (p: Params, key: string): number => (typeof p[key] === 'number' ? (p[key] as number) : 0);
const list = (p: Params, key: string): ReadonlyArray<string | number> => (Array.isArray(p[key]) ? (p[key] as ReadonlyArray<string | number>) : []);
const str = (p: Params, key: string): string => (typeof p[key] === 'string' ? (p[key] as string) : '');

const TYPE_NAMES: Record<ReportLang, Record<string, string>> = {
  en: { integer: 'integer', decimal: 'decimal', boolean: 'boolean', date: 'date', datetime: 'date-time', string: 'text', empty: 'empty' },
  ja: { integer: '整数', decimal: '小数', boolean: '真偽値', date: '日付', datetime: '日時', string: 'テキスト', empty: '空' },
};

export function typeName(lang: ReportLang, type: string): string {
  return TYPE_NAMES[lang][type] ?? type;
}

const plural = (n: number, one: string, many: string, f: Formats): string => `${f.count(n)} ${n === 1 ? one : many}`;

/** The sentence for a warning, in the given language. */
export function warningText(lang: ReportLang, code: WarningCode, p: Params): string {
  const f = formats(lang);
  const quote = (v: string | number): string => (lang === 'ja' ? `「${v}」` : `“${v}”`);
  if (lang === 'ja') {
    switch (code) {
      case 'estimated':
        return `ファイルが大きく、正確な集計に使えるメモリ（${f.count(num(p, 'budgetMb'))} MB）を超えたため、「推定」と記した値は推定値です。誤差は各値の横に記しています。`;
      case 'no_header':
        return '1行目が列名ではなくデータに見えるため、列名を column_1, column_2, … としました。';
      case 'ragged_rows':
        return `${f.count(num(p, 'rows'))} 行のフィールド数がヘッダーの ${f.count(num(p, 'fields'))} と異なります（短い行 ${f.count(num(p, 'short'))}：足りない値は欠損として数えました。長い行 ${f.count(num(p, 'long'))}：余分な値は無視しました）。最初の該当データ行：${list(p, 'examples').map((v) => f.count(Number(v))).join('、')}。`;
      case 'duplicate_rows':
        return `${p.exact === false ? '約 ' : ''}${f.count(num(p, 'rows'))} 行（${f.percent(num(p, 'share'))}）が前の行とまったく同じです。`;
      case 'malformed_quotes':
        return `${f.count(num(p, 'fields'))} 個の引用符付きフィールドで、閉じ引用符の後に文字がありました。その文字は無視しました。`;
      case 'invalid_json_lines':
        return `${f.count(num(p, 'lines'))} 件の${str(p, 'unit') === 'record' ? 'レコード' : '行'}が JSON オブジェクトではないため読み飛ばしました（最初：${list(p, 'examples').map((v) => f.count(Number(v))).join('、')}）。`;
      case 'empty_column':
        return 'すべての値が欠損しています。';
      case 'mostly_missing':
        return `値の ${f.percent(num(p, 'share'))} が欠損しています。`;
      case 'constant':
        return `欠損以外の値がすべて同じです（${quote(str(p, 'value'))}）。`;
      case 'mixed_types':
        return str(p, 'type') === 'string'
          ? `値の ${f.percent(num(p, 'share'))} は数値・日付・真偽値に見え、残りはテキストです。`
          : `値の ${f.percent(num(p, 'share'))} が${typeName('ja', str(p, 'type'))}ではありません（例：${list(p, 'examples').map(quote).join('、')}）。`;
      case 'suspected_id':
        return str(p, 'reason') === 'name'
          ? 'ほぼすべての値が異なり、列名からも識別子（ID）と思われます。測定値ではありません。'
          : str(p, 'reason') === 'sequence'
            ? 'ほぼすべての値が異なる連番の整数です。識別子（ID）と思われます。'
            : 'ほぼすべての値が異なる固定長のコードです。識別子（ID）と思われます。';
      case 'outliers':
        return `${p.exact === false ? '約 ' : ''}${f.count(num(p, 'values'))} 個の値が通常の範囲から大きく外れています（四分位数から四分位範囲の3倍を超える）。`;
      case 'number_format':
        return str(p, 'format') === 'decimal_comma'
          ? `小数点にコンマを使った ${f.count(num(p, 'values'))} 個の値を数値として読みました（例：1,5 = 1.5）。`
          : `桁区切りのコンマを含む ${f.count(num(p, 'values'))} 個の値を数値として読みました（例：1,234.50 = 1234.5）。`;
    }
  }
  switch (code) {
    case 'estimated':
      return `The file's exact figures did not fit the memory set aside for them (${f.count(num(p, 'budgetMb'))} MB), so the figures marked “estimate” are estimates; each says how far off it can be.`;
    case 'no_header':
      return 'The first row looks like data, not column names, so the columns are named column_1, column_2, …';
    case 'ragged_rows': {
      const examples = list(p, 'examples');
      return `${plural(num(p, 'rows'), 'row', 'rows', f)} do not have ${plural(num(p, 'fields'), 'field', 'fields', f)} like the header (${f.count(num(p, 'short'))} shorter: missing fields counted as missing; ${f.count(num(p, 'long'))} longer: extra fields ignored). First at data row${examples.length === 1 ? '' : 's'} ${examples.join(', ')}.`;
    }
    case 'duplicate_rows':
      return `${p.exact === false ? 'About ' : ''}${plural(num(p, 'rows'), 'row', 'rows', f)} (${f.percent(num(p, 'share'))}) repeat an earlier row exactly.`;
    case 'malformed_quotes':
      return `${plural(num(p, 'fields'), 'quoted field', 'quoted fields', f)} had text after the closing quote; that text was ignored.`;
    case 'invalid_json_lines': {
      const unit = str(p, 'unit') === 'record' ? 'record' : 'line';
      return `${plural(num(p, 'lines'), unit, `${unit}s`, f)} are not JSON objects and were skipped (first at ${unit} ${list(p, 'examples').join(', ')}).`;
    }
    case 'empty_column':
      return 'Every value is missing.';
    case 'mostly_missing':
      return `${f.percent(num(p, 'share'))} of the values are missing.`;
    case 'constant':
      return `Every non-missing value is the same (${quote(str(p, 'value'))}).`;
    case 'mixed_types': {
      const type = str(p, 'type');
      if (type === 'string') return `${f.percent(num(p, 'share'))} of the values look like numbers, dates or booleans, the rest are text.`;
      const noun = type === 'integer' ? 'integers' : type === 'decimal' ? 'numbers' : type === 'datetime' ? 'date-times' : `${type}s`;
      return `${f.percent(num(p, 'share'))} of the values are not ${noun} (for example ${list(p, 'examples').map(quote).join(', ')}).`;
    }
    case 'suspected_id':
      return str(p, 'reason') === 'name'
        ? 'Almost every value is different and the name says so too: this looks like an identifier, not a measurement.'
        : str(p, 'reason') === 'sequence'
          ? 'Almost every value is different and they run in sequence: this looks like an identifier, not a measurement.'
          : 'Almost every value is a different fixed-width code: this looks like an identifier, not a measurement.';
    case 'outliers': {
      const n = num(p, 'values');
      return `${p.exact === false ? 'About ' : ''}${f.count(n)} value${n === 1 ? ' lies' : 's lie'} far outside the typical range (beyond 3 × the interquartile range from the quartiles).`;
    }
    case 'number_format':
      return str(p, 'format') === 'decimal_comma'
        ? `${plural(num(p, 'values'), 'value', 'values', f)} written with a decimal comma (1,5 = 1.5) were read as numbers.`
        : `${plural(num(p, 'values'), 'value', 'values', f)} written with thousands separators (1,234.50 = 1234.5) were read as numbers.`;
  }
}

/** The page's own words. */
export const UI = {
  en: {
    title: 'Data profile',
    file: 'File',
    generated: 'Generated',
    order: 'Order',
    overview: 'Overview',
    alerts: 'Alerts',
    noAlerts: 'No data-quality alerts.',
    rows: 'Rows',
    columns: 'Columns',
    size: 'Size',
    format: 'Format',
    encoding: 'Encoding',
    duplicateRows: 'Duplicate rows',
    csv: (d: string) => `CSV, ${d}-separated`,
    delimiters: { comma: 'comma', tab: 'tab', semicolon: 'semicolon', pipe: 'pipe' } as Record<string, string>,
    jsonl: 'JSON Lines',
    json: 'JSON (array of records)',
    column: 'Column',
    type: 'Type',
    missing: 'Missing',
    distinct: 'Distinct',
    count: 'Count',
    values: 'Values',
    min: 'Minimum',
    max: 'Maximum',
    mean: 'Mean',
    stddev: 'Standard deviation',
    median: 'Median',
    quantiles: 'Percentiles',
    zeros: 'Zeros',
    negatives: 'Negative',
    smallest: '5 smallest',
    largest: '5 largest',
    outliers: 'Far outliers',
    histogram: 'Distribution',
    histogramCaption: (n: string) => `Histogram: ${n} bins; each bar covers [from, to), the last one includes its upper end. Numbers above the bars are row counts.`,
    topValues: 'Most frequent values',
    topValuesCaption: 'Bars are scaled to the column’s rows.',
    value: 'Value',
    share: 'Share of rows',
    trueFalse: 'True / false',
    lengths: 'Length (characters)',
    textLengths: 'Text lengths',
    charClasses: 'Values containing',
    classes: { letters: 'letters', digits: 'digits', spaces: 'spaces', punctuation: 'punctuation or symbols', other: 'other characters' } as Record<string, string>,
    upperLower: (u: string, l: string) => `All upper case: ${u}; all lower case: ${l}`,
    byYear: 'By year',
    byMonth: 'By month',
    byWeekday: 'By weekday',
    months: ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'],
    weekdays: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'],
    correlations: 'Correlations',
    pearson: 'Pearson (linear)',
    spearman: 'Spearman (rank)',
    correlationsCaption: 'From −1 (opposite) to +1 (together); 0 means no relation of that kind. Rows where either value is missing are left out.',
    correlationsPartial: (n: string) => `Computed from the first ${n} rows (the rest did not fit the memory set aside).`,
    missingPatterns: 'Missing values together',
    missingPatternsCaption: 'The most common sets of columns that are missing in the same rows.',
    noMissing: 'No value is missing.',
    sample: 'Sample rows',
    firstRows: 'First rows',
    randomRows: 'Random rows',
    nonConforming: 'Values that do not fit the type',
    typeShare: (s: string, t: string) => `${s} of the values are ${t}`,
    estimate: 'estimate',
    estimateDistinct: 'Estimate: within about 2 % of the true number.',
    estimateQuantiles: 'Estimate: percentiles and bars within about 1 % of the rows of the true ones.',
    estimateTop: (e: string) => `Estimate: each count is at most ${e} above the true count.`,
    exactNote: 'Every figure in this report is exact.',
    zoneless: 'Times as written in the file (no time zone).',
    utc: 'Times in UTC.',
    meanNoise: 'The computed mean differs from 0 only by floating-point rounding, so it is shown as 0.',
    moreColumns: (n: string) => `${n} more columns are listed above but not detailed.`,
    footer: 'Computed in one pass over the whole file. Figures marked as estimates say how far off they can be; all others are exact.',
    missingCell: '(missing)',
    axisCount: 'rows',
  },
  ja: {
    title: 'データプロファイル',
    file: 'ファイル',
    generated: '作成日時',
    order: '注文番号',
    overview: '概要',
    alerts: '注意点',
    noAlerts: 'データ品質の注意点はありません。',
    rows: '行数',
    columns: '列数',
    size: 'サイズ',
    format: '形式',
    encoding: '文字コード',
    duplicateRows: '重複行',
    csv: (d: string) => `CSV（${d}区切り）`,
    delimiters: { comma: 'コンマ', tab: 'タブ', semicolon: 'セミコロン', pipe: 'パイプ' } as Record<string, string>,
    jsonl: 'JSON Lines',
    json: 'JSON（レコードの配列）',
    column: '列',
    type: '型',
    missing: '欠損',
    distinct: '異なる値',
    count: '件数',
    values: '値',
    min: '最小値',
    max: '最大値',
    mean: '平均',
    stddev: '標準偏差',
    median: '中央値',
    quantiles: 'パーセンタイル',
    zeros: 'ゼロ',
    negatives: '負の値',
    smallest: '最小の5件',
    largest: '最大の5件',
    outliers: '極端な外れ値',
    histogram: '分布',
    histogramCaption: (n: string) => `ヒストグラム：${n} 区間。各棒は [下限, 上限) の範囲で、最後の棒は上限を含みます。棒の上の数字は行数です。`,
    topValues: '出現回数の多い値',
    topValuesCaption: '棒の長さは列の行数に対する割合です。',
    value: '値',
    share: '行に占める割合',
    trueFalse: '真 / 偽',
    lengths: '長さ（文字数）',
    textLengths: 'テキストの長さ',
    charClasses: '含まれる文字の種類',
    classes: { letters: '文字', digits: '数字', spaces: '空白', punctuation: '記号・句読点', other: 'その他の文字' } as Record<string, string>,
    upperLower: (u: string, l: string) => `すべて大文字：${u}、すべて小文字：${l}`,
    byYear: '年別',
    byMonth: '月別',
    byWeekday: '曜日別',
    months: ['1月', '2月', '3月', '4月', '5月', '6月', '7月', '8月', '9月', '10月', '11月', '12月'],
    weekdays: ['月', '火', '水', '木', '金', '土', '日'],
    correlations: '相関',
    pearson: 'ピアソン（線形）',
    spearman: 'スピアマン（順位）',
    correlationsCaption: '−1（逆の動き）から +1（同じ動き）まで。0 はその種類の関係がないことを表します。どちらかが欠損している行は除きます。',
    correlationsPartial: (n: string) => `最初の ${n} 行から計算しました（残りは確保したメモリに収まりませんでした）。`,
    missingPatterns: '同時に欠損する列',
    missingPatternsCaption: '同じ行で一緒に欠損している列の組み合わせ（多い順）。',
    noMissing: '欠損値はありません。',
    sample: 'サンプル行',
    firstRows: '先頭の行',
    randomRows: 'ランダムな行',
    nonConforming: '型に合わない値',
    typeShare: (s: string, t: string) => `値の ${s} が${t}`,
    estimate: '推定',
    estimateDistinct: '推定値：誤差は真の値の約 2 % 以内です。',
    estimateQuantiles: '推定値：パーセンタイルと棒は、行数の約 1 % 以内の誤差です。',
    estimateTop: (e: string) => `推定値：各件数は真の件数より最大 ${e} 多い可能性があります。`,
    exactNote: 'このレポートの数値はすべて正確な値です。',
    zoneless: '時刻はファイルに書かれたとおりです（タイムゾーンなし）。',
    utc: '時刻は UTC です。',
    meanNoise: '計算上の平均は浮動小数点の丸め誤差の範囲で 0 と異なるだけなので、0 と表示しています。',
    moreColumns: (n: string) => `ほかに ${n} 列あります（一覧のみ表示）。`,
    footer: 'ファイル全体を1回読んで計算しました。推定と記した値には誤差の範囲を示しています。それ以外の値はすべて正確です。',
    missingCell: '（欠損）',
    axisCount: '行',
  },
} as const;

export type UiText = (typeof UI)['en'] | (typeof UI)['ja'];
