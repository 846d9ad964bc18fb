#!/usr/bin/env python3
"""Hand-written DuckDB baseline: the Kutim draft's findings over a canonical dataset folder.

    python benchmarks/duckdb_baseline.py FOLDER [--repeat 3] [--out FILE] [--max-candidates N]

The "practical limit" a person reaches by writing the audit as SQL by hand: read the canonical
CSVs (parties.csv, purchases.csv, partnerships.csv, reports.csv) with DuckDB's read_csv (every
column as VARCHAR, then parsed in SQL as the importer parses it), reject the rows the importer
rejects, and judge every clause of rules/kutim-kemitraan with one SQL block per clause.
Nothing here is generated from the compiled Ruleset: the clauses, their dates and the
parameters (params.yaml) are copied by hand, so a change to the draft needs a change here.

``verdicts(folder, out)`` returns, in the terms of ``report_terms`` (the library's JSON report
read the same way), the summary (``{clause: {status: count}}``, classify clauses with zeros),
every listed finding (violation and cannot_determine) as (clause, subject, period, stage,
category, status), and every required partnership (KMT-05 per supplier, category and year;
KMT-15.1/15.2 per party, category and year) with its candidate count and ranked candidates.
With ``out`` it also writes them, with DuckDB's COPY, as the library's report writes its own:
the comparison is of equal work (``--out`` on the command line; ``read_output`` reads them
back). ``differences(library, query)`` names where the two differ, on the clauses the query
encodes; a clause of the library's report the query does not encode (one a newer draft adds)
is not in the query's summary and is named by benchmarks/audit.py, never compared silently.

How it runs: the CSVs are read once into typed tables in file order (purchase_all holds every
purchase row with its parsed cells), the accepted purchases are materialised once with their
buyer's and supplier's attributes for the purchase's year (table purchase), and then each
clause is one query over those tables, grouped by status. Wall time and peak RSS are the
whole of it: reading, parsing, rejecting and judging, in one DuckDB connection per run.

Semantics reproduced (src/perbup_rules/evaluate.py, atoms.py, compiler/decisions.py):

* Periods judged: the years of the accepted purchases' dates. Party attributes derived by the
  classify clauses (KMT-06 scale_computed, KMT-06.1 scale_effective, DEF-01 umkk, DEF-02 local)
  are computed per party and year, with the parameters in force on the year's last day.
* Three-valued logic: a missing field is SQL NULL, and SQL's AND/OR/NOT/IN on NULL are Kleene's
  logic, as in the engines. ``known(x)`` is ``x IS NOT NULL`` (two-valued). Every decision is a
  CASE that follows the engine's ordered guards: e.g. for ``each`` clauses "require true" gives
  compliant even when "applies" is unknown.
* Money is HUGEINT sen (rupiah x 100) and shares are compared by integer cross-multiplication
  with the ratio parameter as a whole percentage: never floats.
* A purchase without a date (perbup_rules.periods; view purchase_x) is judged on a
  representative day of every stretch of every audited period, with its parties' attributes of
  that period: per-purchase clauses merge the days (compliant wherever in scope; a violation on
  every day; else cannot_determine; no period), share clauses take it as a possible member of its
  subject's group in each such period, with its least and greatest part (exact bounds).
* Subjects (perbup_rules.subjects): KMT-07 speaks to suppliers that won from a perangkat daerah
  or desa in the period (unknown when only purchases of unknown buyer kind or date may count);
  KMT-15.1/15.2/15.3/15.4 to hotels and restaurants that are not UMKK; KMT-18 to companies that
  are not UMKK and won such an award or filed a report for the period.
* Named assumptions (perbup_rules.assumptions) are on, as by default: an unknown licence counts as
  held (KMT-11, KMT-11.2). There is no --no-assume here.
* Window clauses (perbup_rules.windows, KMT-04): certain and possible members, each ceiling L that
  occurs, 30-day windows as a RANGE frame starting on every member's date, undated members in
  every window; the verdict from split_certain / split_possible.
* Once-per-record duties (perbup_rules.once, KMT-16/16.T): on the start date or on
  obligations_from; an undated partnership gets one KMT-16 finding from both readings.
* Yearly reports (perbup_rules.duties): KMT-15.3 from the report's exact share; KMT-15.4 and
  KMT-18 due on 31 March of the next year, not yet due (not_applicable) after the audit's as_of
  date (the latest purchase, partnership start or reported date, or report submission); without
  reports.csv the three are not evaluated (no findings).

Importer rejections reproduced (importers/canonical.py, columns.py, cells.py): a repeated id
(the first row with an id is the only candidate, even when it is itself rejected); an empty
required cell (party id; purchase id and stage; partnership id, party_id and partner_id); an
unknown code (kind, legal_form, scale, stage, procurement_type, pattern, case-insensitive,
spaces and hyphens as underscores); money that parse_money refuses (negative, ambiguous
``1.500`` without Rp, more than 18 digits, not a number); dates that are neither ISO (time part
ignored) nor dd/mm/yyyy, or not calendar dates; yes/no cells that are not
true/false/ya/tidak/yes/no/1/0; star_rating outside 1..5; a currency that is not three letters;
umk_value_idr above value_idr; end_date before start_date; a buyer, supplier, party or partner
id naming no accepted party. The delimiter is sniffed from the header line as the importer
does, header names match case-insensitively, absent optional columns read as empty.

Not handled (arbitrary messy data; the generated data has none of it):

* amounts with more than two non-zero decimal places (sen are exact; finer fractions raise
  NotImplementedError rather than being rounded);
* purchases with a ``fiscal_year`` and parties with Kemendagri code columns
  (NotImplementedError: periods come from dates, codes from names here);
* registries, ``--period``/``--stage`` filters and the as-if-in-force switch;
* rows with more cells than the header (DuckDB refuses the file), NUL characters in cells
  (the importer rejects the row), non-UTF-8 files, repeated header names and near-miss header
  spellings (the importer refuses the file; here they are read or fail differently);
* whitespace: cells are trimmed of what ``str.strip`` removes, except that the free-text
  columns of purchases (id, buyer_id, ppk_id, supplier_id, exemption_reason) are only trimmed
  when they start with a character other than printable ASCII or end with a space or no-break
  space (a trailing tab stays); RE2's ``\\s`` in code normalisation is ASCII whitespace plus
  Unicode separators, and DuckDB's lower() may differ from Python's on exotic letters;
* Excel workbooks, and the importers for SiRUP/SPSE/OCDS exports.
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import statistics
import sys
import time
from pathlib import Path

import duckdb

#: The classify clauses of the draft (no findings; Report.summary() lists them with zeros). The
#: clauses encoded are these and CLAUSE_SQL's; a clause of the library's report that is in neither
#: (one added to the draft after this file) is "not encoded" and named by every comparison.
CLASSIFY = ("DEF-01", "DEF-02", "KMT-06", "KMT-06.1", "KMT-06.2", "KMT-06.3", "KMT-06.4")
STATUSES = ("violation", "cannot_determine", "compliant", "not_applicable")
#: Clauses of CLAUSE_SQL whose current reading this SQL does not follow (left out of every comparison):
#: a reading that landed beside this rewrite (issue 13): KMT-15.3 is judged from reports.csv. (KMT-15.4
#: and KMT-18 are not in CLAUSE_SQL at all: every comparison names them as not encoded.)
OUTDATED: frozenset[str] = frozenset()

COLUMNS = {
    "parties": ("id", "name", "kind", "legal_form", "capital_idr", "annual_sales_idr", "scale",
                "kecamatan", "desa", "kabupaten", "supplies", "star_rating", "kabupaten_code", "kecamatan_code", "desa_code",
                "licensed"),
    "purchases": ("id", "stage", "buyer_id", "ppk_id", "supplier_id", "category", "procurement_type", "method",
                  "value_idr", "umk_value_idr", "reserved_for_umkk", "exemption_reason", "date", "currency",
                  "pagu_idr", "exemption_code", "channel", "desa_reason_code", "fiscal_year"),
    "partnerships": ("id", "party_id", "partner_id", "pattern", "categories", "start_date", "end_date",
                     "written", "reported_to_dinas", "purchase_id", "reported_date"),
    "reports": ("id", "party_id", "year", "kind", "total_idr", "local_umkk_idr", "submitted_date"),
}

# What Python's str.strip() removes (str.isspace), so trimmed cells match parse_text.
_WS = " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u2028\u2029\u202f\u205f\u3000"

# --- cell parsers and dated parameters, as SQL macros --------------------------------------
# Each parser takes the raw cell and has a fast path for the way the cell is usually written;
# only the other cells are trimmed (Python's str.strip) and parsed the long way. A parser
# gives NULL for an empty cell and for a cell it refuses: cell_ok() tells the two apart.
MACROS = r"""
-- parse_text: trimmed (what Python's str.strip removes), NULL when empty.
CREATE OR REPLACE TEMP MACRO trimmed(s) AS nullif(trim(s, '__WS__'), '');
-- The same for the free-text columns of the purchases, where a million trims with this set of
-- characters would cost seconds: only cells that start with a character other than printable
-- ASCII or end with a space or a no-break space are trimmed.
CREATE OR REPLACE TEMP MACRO txt(s) AS CASE
    WHEN s < '!' OR s >= chr(128) OR s LIKE '% ' OR s LIKE '%__NBSP__' THEN trimmed(s) ELSE s END;
-- A cell passed its parser: empty, parsed, or blank once trimmed.
-- (CASE, not OR: in a projection OR evaluates every operand on every row.)
CREATE OR REPLACE TEMP MACRO cell_ok(cell, parsed) AS CASE
    WHEN cell IS NULL OR parsed IS NOT NULL THEN true ELSE trimmed(cell) IS NULL END;
-- normalise_token: lower case, runs of spaces/hyphens as one underscore.
CREATE OR REPLACE TEMP MACRO tok(s) AS regexp_replace(lower(s), '[\s\x0b\x1c-\x1f\x85\p{Z}\-]+', '_', 'g');
-- parse_token (category)
CREATE OR REPLACE TEMP MACRO token(s) AS CASE
    WHEN regexp_full_match(s, '[a-z0-9_]+') THEN s ELSE tok(trimmed(s)) END;
-- parse_code: a code of a closed list, NULL when refused.
CREATE OR REPLACE TEMP MACRO code(s, allowed) AS CASE
    WHEN list_contains(allowed, s) THEN s
    WHEN list_contains(allowed, tok(trimmed(s))) THEN tok(trimmed(s)) END;
-- parse_bool
CREATE OR REPLACE TEMP MACRO yesno(s) AS CASE
    WHEN s IN ('true', 'false') THEN s = 'true'
    WHEN lower(trimmed(s)) IN ('true', 'ya', '1', 'yes') THEN true
    WHEN lower(trimmed(s)) IN ('false', 'tidak', '0', 'no') THEN false END;

-- parse_date: ISO (time part ignored) or dd/mm/yyyy; NULL when not a calendar date.
CREATE OR REPLACE TEMP MACRO ymd(y, m, d) AS CASE
    WHEN y <> '0000' THEN try_cast(y || '-' || lpad(m, 2, '0') || '-' || lpad(d, 2, '0') AS DATE) END;
CREATE OR REPLACE TEMP MACRO day_slow(s) AS CASE
    WHEN regexp_full_match(s, '[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?(?:Z|[+-][0-9]{2}:?[0-9]{2})?)?')
        THEN ymd(s[1:4], s[6:7], s[9:10])
    WHEN regexp_full_match(s, '[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}')
        THEN ymd(split_part(s, '/', 3), split_part(s, '/', 2), split_part(s, '/', 1)) END;
CREATE OR REPLACE TEMP MACRO day(s) AS CASE
    WHEN regexp_full_match(s, '[0-9]{4}-[0-9]{2}-[0-9]{2}') AND NOT starts_with(s, '0000') THEN try_cast(s AS DATE)
    ELSE day_slow(trimmed(s)) END;

-- parse_money, in sen (HUGEINT). NULL: refused; -1: sen finer than 2 places (not handled).
CREATE OR REPLACE TEMP MACRO whole_sen(digits) AS CASE
    WHEN length(ltrim(digits, '0')) <= 18 THEN CAST(coalesce(nullif(ltrim(digits, '0'), ''), '0') AS HUGEINT) * 100 END;
CREATE OR REPLACE TEMP MACRO frac_sen(whole, frac) AS CASE
    WHEN length(rtrim(frac, '0')) > 2 THEN -1
    ELSE whole_sen(whole) + CAST(rpad(coalesce(nullif(rtrim(frac, '0'), ''), '0'), 2, '0') AS HUGEINT) END;
CREATE OR REPLACE TEMP MACRO money_body(body, rp) AS CASE
    WHEN regexp_full_match(body, '[0-9]+') THEN whole_sen(body)
    WHEN regexp_full_match(body, '[0-9]{1,3}(?:\.[0-9]{3})+')
        THEN CASE WHEN rp = '' AND length(body) - length(replace(body, '.', '')) = 1 THEN NULL  -- 1.500: ambiguous
                  ELSE whole_sen(replace(body, '.', '')) END
    WHEN regexp_full_match(body, '(?:[0-9]+|[0-9]{1,3}(?:\.[0-9]{3})+),[0-9]+')
        THEN CASE WHEN NOT contains(split_part(body, ',', 1), '.') AND length(split_part(body, ',', 1)) <= 3
                       AND length(split_part(body, ',', 2)) = 3 THEN NULL                    -- 1,500: ambiguous
                  ELSE frac_sen(replace(split_part(body, ',', 1), '.', ''), split_part(body, ',', 2)) END
    WHEN regexp_full_match(body, '[0-9]+\.[0-9]+') THEN frac_sen(split_part(body, '.', 1), split_part(body, '.', 2)) END;
-- The number convention of a money column (importers/cells.py decide_money): each cell's shape,
-- then per column whether it is read the Indonesian way (a single dot group = thousands, and a
-- comma followed by three digits = decimals), which only changes the cells money_body refuses.
CREATE OR REPLACE TEMP MACRO money_shape(body, rp) AS CASE
    WHEN regexp_full_match(body, '[0-9]+') THEN CASE WHEN length(body) <= 3 THEN 'short' ELSE 'long' END
    WHEN regexp_full_match(body, '[0-9]{1,3}\.[0-9]{3}') THEN CASE WHEN rp = '' THEN 'amb_dot' ELSE 'ind' END
    WHEN regexp_full_match(body, '[0-9]{1,3}(?:\.[0-9]{3})+') THEN 'ind'
    WHEN regexp_full_match(body, '[0-9]{1,3},[0-9]{3}') THEN 'amb_comma'
    WHEN regexp_full_match(body, '(?:[0-9]+|[0-9]{1,3}(?:\.[0-9]{3})+),[0-9]+') THEN 'ind'
    WHEN regexp_full_match(body, '[0-9]+\.[0-9]+') THEN 'point' END;
CREATE OR REPLACE TEMP MACRO money_grouped(n_ind, n_point, n_long, n_amb_comma, n_amb_dot) AS
    (n_ind > 0 AND n_point = 0) OR (n_ind = 0 AND n_point = 0 AND n_long = 0 AND n_amb_comma = 0 AND n_amb_dot >= 2);
-- money_body under the column's convention.
CREATE OR REPLACE TEMP MACRO money_body_in(body, rp, grouped) AS CASE
    WHEN grouped AND money_shape(body, rp) = 'amb_dot' THEN whole_sen(replace(body, '.', ''))
    WHEN grouped AND money_shape(body, rp) = 'amb_comma' THEN frac_sen(split_part(body, ',', 1), split_part(body, ',', 2))
    ELSE money_body(body, rp) END;
-- Plain digits (most cells): sen, else NULL.
CREATE OR REPLACE TEMP MACRO money_fast(s) AS CASE
    WHEN regexp_full_match(s, '[0-9]{1,18}') THEN CAST(s AS HUGEINT) * 100 END;
-- The long way: sign, "Rp"/"IDR" prefix, sign again, then the number.
CREATE OR REPLACE TEMP MACRO money_parts(s) AS
    regexp_extract(trimmed(s), '^(?:([-−])\s*)?(?:((?i:rp\.?|idr))\s*(?:([-−])\s*)?)?(.*)$', ['neg', 'rp', 'neg2', 'body']);
CREATE OR REPLACE TEMP MACRO money_signed(negative, amount) AS CASE
    WHEN NOT negative THEN amount WHEN amount = 0 THEN 0 END;                      -- below zero: refused
-- For the parties (a few hundred rows). A macro repeats its argument at every use, so the parts
-- are bound once through a one-element list_transform; for the purchases the long way runs as
-- a query over the few cells that need it (see amount_fix), as lambdas over a filtered million
-- rows cost seconds.
CREATE OR REPLACE TEMP MACRO money(s, grouped) AS coalesce(money_fast(s), list_transform([money_parts(s)],
    lambda m: money_signed(m.neg <> '' OR m.neg2 <> '', money_body_in(m.body, m.rp, grouped)))[1]);

-- params.yaml, by hand: the value in force on day d (NULL before the first value).
-- Amounts in rupiah; ratios as whole percentages (every ratio of the draft has two places).
CREATE OR REPLACE TEMP MACRO umkk_reserved_max(d) AS CASE
    WHEN d >= DATE '2021-02-02' THEN 15000000000::BIGINT WHEN d >= DATE '2018-03-22' THEN 2500000000::BIGINT END;
CREATE OR REPLACE TEMP MACRO umkk_share_min_pct(d) AS CASE WHEN d >= DATE '2021-02-02' THEN 40 END;
CREATE OR REPLACE TEMP MACRO local_material_share_min_pct(d) AS CASE WHEN d >= DATE '2027-01-01' THEN 50 END;
CREATE OR REPLACE TEMP MACRO uniform_local_share_min_pct(d) AS CASE WHEN d >= DATE '2027-01-01' THEN 70 END;
CREATE OR REPLACE TEMP MACRO hotel_local_share_min_pct(d) AS CASE
    WHEN d >= DATE '2028-01-01' THEN 30 WHEN d >= DATE '2027-01-01' THEN 20 END;
CREATE OR REPLACE TEMP MACRO mikro_capital_max(d) AS CASE WHEN d >= DATE '2021-02-02' THEN 1000000000::BIGINT END;
CREATE OR REPLACE TEMP MACRO kecil_capital_max(d) AS CASE WHEN d >= DATE '2021-02-02' THEN 5000000000::BIGINT END;
CREATE OR REPLACE TEMP MACRO menengah_capital_max(d) AS CASE WHEN d >= DATE '2021-02-02' THEN 10000000000::BIGINT END;
CREATE OR REPLACE TEMP MACRO mikro_sales_max(d) AS CASE WHEN d >= DATE '2021-02-02' THEN 2000000000::BIGINT END;
CREATE OR REPLACE TEMP MACRO kecil_sales_max(d) AS CASE WHEN d >= DATE '2021-02-02' THEN 15000000000::BIGINT END;
CREATE OR REPLACE TEMP MACRO menengah_sales_max(d) AS CASE WHEN d >= DATE '2021-02-02' THEN 50000000000::BIGINT END;
-- Pengadaan Langsung ceilings (KMT-04), and every value any of them takes.
CREATE OR REPLACE TEMP MACRO direct_goods_max(d) AS CASE WHEN d >= DATE '2018-07-01' THEN 200000000::BIGINT END;
CREATE OR REPLACE TEMP MACRO direct_construction_max(d) AS CASE
    WHEN d >= DATE '2025-04-30' THEN 400000000::BIGINT WHEN d >= DATE '2018-07-01' THEN 200000000::BIGINT END;
CREATE OR REPLACE TEMP MACRO direct_consultancy_max(d) AS CASE WHEN d >= DATE '2018-07-01' THEN 100000000::BIGINT END;
CREATE OR REPLACE TEMP MACRO direct_every_max() AS [100000000::BIGINT, 200000000::BIGINT, 400000000::BIGINT];
CREATE OR REPLACE TEMP MACRO year_end(y) AS make_date(y, 12, 31);
""".replace("__WS__", _WS).replace("__NBSP__", "\xa0")

# --- loading: typed tables of accepted rows ------------------------------------------------
# __src_*__ are replaced by the read_csv calls, __*_cols__ by the raw cells of the canonical
# columns (named c_<column>; NULL for a column the file does not have).
LOAD = r"""
-- Each money column's convention, from all its cells (plain digits by their length; the rest by shape).
CREATE OR REPLACE TEMP TABLE money_conv AS
SELECT col, money_grouped(count(*) FILTER (WHERE shape = 'ind'), count(*) FILTER (WHERE shape = 'point'),
                          count(*) FILTER (WHERE shape = 'long'), count(*) FILTER (WHERE shape = 'amb_comma'),
                          count(*) FILTER (WHERE shape = 'amb_dot')) AS grouped
FROM (
    SELECT col, CASE WHEN regexp_full_match(text, '[0-9]+') THEN CASE WHEN length(text) <= 3 THEN 'short' ELSE 'long' END
                     ELSE money_shape(p.body, p.rp) END AS shape
    FROM (SELECT col, text, CASE WHEN NOT regexp_full_match(text, '[0-9]+') THEN money_parts(text) END AS p
          FROM (SELECT 'value' AS col, c_value_idr AS text FROM (SELECT __purchases_cols__ FROM __src_purchases__)
                UNION ALL SELECT 'umk', c_umk_value_idr FROM (SELECT __purchases_cols__ FROM __src_purchases__)
                UNION ALL SELECT 'capital', c_capital_idr FROM (SELECT __parties_cols__ FROM __src_parties__)
                UNION ALL SELECT 'sales', c_annual_sales_idr FROM (SELECT __parties_cols__ FROM __src_parties__)
                UNION ALL SELECT 'total', c_total_idr FROM (SELECT __reports_cols__ FROM __src_reports__)
                UNION ALL SELECT 'local', c_local_umkk_idr FROM (SELECT __reports_cols__ FROM __src_reports__))
          WHERE text IS NOT NULL AND text <> '')
)
GROUP BY col;
CREATE OR REPLACE TEMP MACRO col_grouped(c) AS coalesce((SELECT grouped FROM money_conv WHERE col = c), false);
-- Parties: typed, in file order (rowid), with the importer's cell checks.
CREATE OR REPLACE TEMP TABLE party_all AS
SELECT trimmed(c_id) AS id, trimmed(c_kecamatan) AS kecamatan, trimmed(c_desa) AS desa, trimmed(c_kabupaten) AS kabupaten,
    kind, legal_form, capital, sales, scale, licensed,
    coalesce(list_transform(list_filter(string_split(trimmed(c_supplies), ';'), lambda x: trimmed(x) IS NOT NULL),
                            lambda x: tok(trimmed(x))), []::VARCHAR[]) AS supplies,
    trimmed(c_kabupaten_code) IS NOT NULL OR trimmed(c_kecamatan_code) IS NOT NULL OR trimmed(c_desa_code) IS NOT NULL AS has_codes,
    trimmed(c_id) IS NOT NULL AND cell_ok(c_kind, kind) AND cell_ok(c_legal_form, legal_form)
    AND cell_ok(c_capital_idr, capital) AND cell_ok(c_annual_sales_idr, sales) AND cell_ok(c_scale, scale)
    AND cell_ok(c_star_rating, star) AND cell_ok(c_licensed, licensed) AS ok
FROM (
    SELECT *,
        code(c_kind, ['perangkat_daerah', 'desa', 'hotel', 'restaurant', 'company', 'umkm', 'koperasi']) AS kind,
        code(c_legal_form, ['pt', 'cv', 'ud', 'firma', 'koperasi', 'perorangan', 'other']) AS legal_form,
        money(c_capital_idr, g_capital) AS capital, money(c_annual_sales_idr, g_sales) AS sales,
        code(c_scale, ['mikro', 'kecil', 'menengah', 'besar']) AS scale, yesno(c_licensed) AS licensed,
        CASE WHEN regexp_full_match(trimmed(c_star_rating), '[0-9]{1,18}')
              AND CAST(trimmed(c_star_rating) AS HUGEINT) BETWEEN 1 AND 5 THEN 1 END AS star
    FROM (SELECT __parties_cols__, col_grouped('capital') AS g_capital, col_grouped('sales') AS g_sales FROM __src_parties__)
);
-- Accepted parties: the first row of each id, when it passed the checks.
CREATE OR REPLACE TEMP TABLE party AS
SELECT * EXCLUDE (rn, ok) FROM (SELECT rowid AS rn, * FROM party_all WHERE id IS NOT NULL)
QUALIFY ok AND rn = min(rn) OVER (PARTITION BY id);

-- Purchases: typed, in file order (rowid). Amounts not written as plain digits keep their
-- text (*_text) and are parsed by the UPDATE below; cells_ok = the other cells passed.
CREATE OR REPLACE TEMP TABLE purchase_all AS
SELECT id, stage, buyer_id, ppk_id, supplier_id, category, ptype, method, value, umk, reserved, exempt, pagu, exempt_tech, date, year(date) AS year,
    channel, reasons, c_fiscal_year,
    CASE WHEN value IS NULL THEN c_value_idr END AS value_text,
    CASE WHEN umk IS NULL THEN c_umk_value_idr END AS umk_text,
    id IS NOT NULL AND stage IS NOT NULL AND cell_ok(c_procurement_type, ptype)
    AND cell_ok(c_reserved_for_umkk, reserved) AND cell_ok(c_date, date) AND cell_ok(c_channel, channel)
    AND coalesce(list_bool_and(list_transform(reason_cells, lambda x: x IN ('not_available_in_desa',
        'not_available_in_kabupaten', 'e_purchasing_not_available'))), true)
    AND CASE WHEN c_currency IS NULL OR regexp_full_match(c_currency, '[A-Za-z]{3}') THEN true
             ELSE trimmed(c_currency) IS NULL OR regexp_full_match(trimmed(c_currency), '[A-Za-z]{3}') END AS cells_ok
FROM (
    SELECT c_procurement_type, c_value_idr, c_umk_value_idr, c_reserved_for_umkk, c_date, c_currency, c_channel, c_fiscal_year,
        code(c_channel, ['tender', 'non_tender', 'e_purchasing', 'toko_daring', 'pencatatan', 'swakelola', 'other']) AS channel,
        reason_cells, list_filter(reason_cells, lambda x: x IN ('not_available_in_desa', 'not_available_in_kabupaten',
                                                                'e_purchasing_not_available')) AS reasons,
        txt(c_id) AS id, txt(c_buyer_id) AS buyer_id, txt(c_ppk_id) AS ppk_id, txt(c_supplier_id) AS supplier_id,
        code(c_stage, ['plan', 'award', 'contract']) AS stage,
        token(c_category) AS category, token(c_method) AS method,
        code(c_procurement_type, ['barang', 'pekerjaan_konstruksi', 'jasa_lainnya', 'jasa_konsultansi']) AS ptype,
        money_fast(c_value_idr) AS value, money_fast(c_umk_value_idr) AS umk, yesno(c_reserved_for_umkk) AS reserved,
        txt(c_exemption_reason) IS NOT NULL AS exempt, day(c_date) AS date,
        money_fast(c_pagu_idr) AS pagu,  -- issue 13: KMT-03 judges the pagu
        coalesce(code(c_exemption_code, ['technical', 'pagu_above_ceiling', 'other']) = 'technical', false) AS exempt_tech
    FROM (SELECT *, coalesce(list_transform(list_filter(string_split(trimmed(c_desa_reason_code), ';'),
                                                         lambda x: trimmed(x) IS NOT NULL), lambda x: tok(trimmed(x))),
                             []::VARCHAR[]) AS reason_cells
          FROM (SELECT __purchases_cols__ FROM __src_purchases__))
);
-- The amounts not written as plain digits, parsed the long way (a query per step, so each
-- part is computed once), written back into purchase_all.
CREATE OR REPLACE TEMP TABLE amount_fix AS
SELECT rn, col, money_signed(neg <> '' OR neg2 <> '', money_body_in(body, rp, col_grouped(col))) AS sen
FROM (SELECT rn, col, p.neg, p.rp, p.neg2, p.body
      FROM (SELECT rn, col, money_parts(text) AS p
            FROM (SELECT rowid AS rn, 'value' AS col, value_text AS text FROM purchase_all WHERE value_text IS NOT NULL
                  UNION ALL
                  SELECT rowid, 'umk', umk_text FROM purchase_all WHERE umk_text IS NOT NULL)));
UPDATE purchase_all SET value = f.sen FROM amount_fix f WHERE purchase_all.rowid = f.rn AND f.col = 'value';
UPDATE purchase_all SET umk = f.sen FROM amount_fix f WHERE purchase_all.rowid = f.rn AND f.col = 'umk';

-- Partnerships (a few rows).
CREATE OR REPLACE TEMP TABLE partnership_all AS
SELECT trimmed(c_id) AS id, trimmed(c_party_id) AS party_id, trimmed(c_partner_id) AS partner_id, trimmed(c_purchase_id) AS purchase_id,
    pattern, categories, start_date, end_date, written, reported, reported_date,
    trimmed(c_id) IS NOT NULL AND trimmed(c_party_id) IS NOT NULL AND trimmed(c_partner_id) IS NOT NULL
    AND cell_ok(c_start_date, start_date) AND cell_ok(c_end_date, end_date)
    AND cell_ok(c_written, written) AND cell_ok(c_reported_to_dinas, reported)
    AND cell_ok(c_reported_date, reported_date)
    AND NOT coalesce(end_date < start_date, false) AS ok
FROM (
    SELECT *,
        -- parse_pattern: a listed code, else lainnya (the law's list is open): never refused
        CASE WHEN trimmed(c_pattern) IS NOT NULL THEN coalesce(
            code(c_pattern, ['inti_plasma', 'subkontrak', 'waralaba', 'perdagangan_umum', 'distribusi_keagenan',
                             'rantai_pasok', 'bagi_hasil', 'kerja_sama_operasional', 'usaha_patungan',
                             'penyumberluaran', 'lainnya']), 'lainnya') END AS pattern,
        coalesce(list_transform(list_filter(string_split(trimmed(c_categories), ';'), lambda x: trimmed(x) IS NOT NULL),
                                lambda x: tok(trimmed(x))), []::VARCHAR[]) AS categories,
        day(c_start_date) AS start_date, day(c_end_date) AS end_date,
        yesno(c_written) AS written, yesno(c_reported_to_dinas) AS reported, day(c_reported_date) AS reported_date
    FROM (SELECT __partnerships_cols__ FROM __src_partnerships__)
);
CREATE OR REPLACE TEMP TABLE partnership AS
SELECT * EXCLUDE (rn, ok) FROM (SELECT rowid AS rn, * FROM partnership_all WHERE id IS NOT NULL)
QUALIFY ok AND rn = min(rn) OVER (PARTITION BY id)
    AND party_id IN (SELECT id FROM party) AND partner_id IN (SELECT id FROM party);

-- Yearly reports (reports.csv, a few rows): required id, party_id, year (1900..2200) and kind; the
-- first row of an id is the only candidate; local_umkk_idr above total_idr, a party_id naming no
-- accepted party and a second accepted report of one party, year and kind are rejected.
CREATE OR REPLACE TEMP TABLE report_all AS
SELECT trimmed(c_id) AS id, trimmed(c_party_id) AS party_id, year, kind, total, local, submitted,
    trimmed(c_id) IS NOT NULL AND trimmed(c_party_id) IS NOT NULL AND year IS NOT NULL AND kind IS NOT NULL
    AND cell_ok(c_total_idr, total) AND cell_ok(c_local_umkk_idr, local) AND cell_ok(c_submitted_date, submitted)
    AND NOT coalesce(local > total, false) AS ok
FROM (
    SELECT *,
        CASE WHEN regexp_full_match(trimmed(c_year), '[0-9]{1,18}') AND CAST(trimmed(c_year) AS HUGEINT) BETWEEN 1900 AND 2200
             THEN CAST(trimmed(c_year) AS INTEGER) END AS year,
        code(c_kind, ['hotel_purchases', 'company_annual']) AS kind,
        money(c_total_idr, g_total) AS total, money(c_local_umkk_idr, g_local) AS local,
        day(c_submitted_date) AS submitted
    FROM (SELECT __reports_cols__, col_grouped('total') AS g_total, col_grouped('local') AS g_local FROM __src_reports__)
);
CREATE OR REPLACE TEMP TABLE report AS
SELECT * EXCLUDE (rn) FROM (
    SELECT * EXCLUDE (ok) FROM (SELECT rowid AS rn, * FROM report_all WHERE id IS NOT NULL)
    QUALIFY ok AND rn = min(rn) OVER (PARTITION BY id) AND party_id IN (SELECT id FROM party))
QUALIFY rn = min(rn) OVER (PARTITION BY party_id, year, kind);

__REGIONS__
-- Derived party attributes per year (classify clauses), for every year a purchase row names,
-- with the parameters in force on the year's last day; and a row with no year (for the
-- purchases without a date: their party fields, no derived attributes).
CREATE OR REPLACE TEMP TABLE party_year AS
WITH py AS (
    SELECT p.*, y.year, year_end(y.year) AS d
    FROM party p, (SELECT DISTINCT year FROM purchase_all) y
), cls AS (  -- KMT-06.2/06.3 (PP 7/2021, years from 2021) and KMT-06.4 (UU 20/2008, before)
    SELECT *,
        CASE WHEN year >= 2021 AND capital IS NOT NULL THEN CASE
            WHEN capital <= 100 * mikro_capital_max(d) THEN 1 WHEN capital <= 100 * kecil_capital_max(d) THEN 2
            WHEN capital <= 100 * menengah_capital_max(d) THEN 3 ELSE 4 END END AS by_capital,
        CASE WHEN year >= 2021 AND sales IS NOT NULL THEN CASE
            WHEN sales <= 100 * mikro_sales_max(d) THEN 1 WHEN sales <= 100 * kecil_sales_max(d) THEN 2
            WHEN sales <= 100 * menengah_sales_max(d) THEN 3 ELSE 4 END END AS by_sales,
        CASE WHEN year < 2021 AND sales IS NOT NULL THEN CASE
            WHEN sales <= 100 * 300000000::BIGINT THEN 1 WHEN sales <= 100 * 2500000000::BIGINT THEN 2
            WHEN sales <= 100 * 50000000000::BIGINT THEN 3 ELSE 4 END END AS by_sales_uu20
    FROM py
), sc AS (  -- KMT-06 scale_computed: both known -> the larger class; else the one known
    SELECT *, ['mikro', 'kecil', 'menengah', 'besar'][CASE
        WHEN by_capital IS NOT NULL AND by_sales IS NOT NULL THEN greatest(by_capital, by_sales)
        ELSE coalesce(by_capital, by_sales, by_sales_uu20) END] AS scale_computed
    FROM cls
), se AS (  -- KMT-06.1 scale_effective: the computed scale, else the declared one when no figure counts
    SELECT *, CASE WHEN scale_computed IS NOT NULL THEN scale_computed
                   WHEN year >= 2021 OR capital IS NULL THEN scale END AS scale_effective FROM sc
)
SELECT id, year, kind, scale, licensed, desa, kecamatan, desa_code, kecamatan_code, kabupaten_code, supplies, scale_computed, scale_effective,
    CASE  -- DEF-01 umkk: koperasi; mikro/kecil; menengah/besar with a known form; else unknown
        WHEN year >= 2021 AND legal_form = 'koperasi' THEN true          -- a cooperative by its form (PP 7/2021)
        WHEN year >= 2021 AND legal_form IS NULL AND kind = 'koperasi' THEN true
        WHEN scale_effective IN ('mikro', 'kecil') THEN true
        WHEN scale_effective IS NULL THEN NULL
        WHEN year < 2021 THEN false                                     -- before: only if small
        WHEN (legal_form IS NOT NULL OR kind IS NOT NULL)
             AND NOT coalesce(kind = 'koperasi' AND legal_form <> 'koperasi', false) THEN false
        END AS umkk,
    CASE  -- DEF-02 local: Kemendagri kabupaten code 64.08 (codes from names: add_region_codes); unknown stays NULL
        WHEN kabupaten_code IS NOT NULL AND kabupaten_code = '64.08' THEN true
        WHEN kabupaten_code IS NOT NULL THEN false
        END AS local
FROM se;

-- Rows repeating an earlier purchase id (rejected even when the first row was rejected).
-- Grouping on hash(id) first is cheaper than on the text; the few candidates are then checked.
CREATE OR REPLACE TEMP TABLE purchase_later AS
WITH candidates AS (SELECT hash(id) AS h FROM purchase_all WHERE id IS NOT NULL GROUP BY h HAVING count(*) > 1),
rows AS (SELECT rowid AS rn, id FROM purchase_all WHERE hash(id) IN (SELECT h FROM candidates))
SELECT rn FROM rows QUALIFY rn > min(rn) OVER (PARTITION BY id);

-- Accepted purchases: first row of each id, cells valid, buyer and supplier accepted parties;
-- with the buyer's and supplier's attributes in the purchase's year.
CREATE OR REPLACE TEMP TABLE purchase AS
SELECT a.id, a.stage, a.buyer_id, a.ppk_id, a.supplier_id, a.category, a.ptype, a.method, a.value, a.umk, a.reserved,
       a.exempt, a.pagu, a.exempt_tech, a.date, a.year, a.channel, a.reasons, a.rowid AS rn,
       b.kind AS buyer_kind, b.desa_code AS buyer_desa, b.umkk AS buyer_umkk,
       s.umkk AS supplier_umkk, s.local AS supplier_local, s.desa_code AS supplier_desa,
       s.kabupaten_code AS supplier_kab, s.kecamatan_code AS supplier_kec, s.licensed AS supplier_licensed
FROM purchase_all a
LEFT JOIN party_year b ON b.id = a.buyer_id AND b.year IS NOT DISTINCT FROM a.year
LEFT JOIN party_year s ON s.id = a.supplier_id AND s.year IS NOT DISTINCT FROM a.year
WHERE a.cells_ok AND cell_ok(a.value_text, a.value) AND cell_ok(a.umk_text, a.umk) AND NOT coalesce(a.umk > a.value, false)
  AND (a.buyer_id IS NULL OR b.id IS NOT NULL) AND (a.supplier_id IS NULL OR s.id IS NOT NULL)
  AND a.rowid NOT IN (SELECT rn FROM purchase_later);

-- The periods judged: years of the accepted purchases' dates.
CREATE OR REPLACE TEMP TABLE period AS SELECT DISTINCT year FROM purchase WHERE year IS NOT NULL;
-- The date the audit is made as of (perbup_rules.duties.default_as_of): the latest purchase date,
-- partnership start or reported date, or report submission date (NULL: none).
CREATE OR REPLACE TEMP TABLE as_of AS SELECT max(d) AS d FROM (
    SELECT max(date) AS d FROM purchase UNION ALL SELECT max(start_date) FROM partnership
    UNION ALL SELECT max(reported_date) FROM partnership UNION ALL SELECT max(submitted) FROM report);

-- Purchases as the per-purchase and share clauses judge them (perbup_rules.periods): a dated one
-- once, on its date; an undated one on a representative day of every stretch of every audited
-- period on which nothing a clause reads changes (1 January and each validity or parameter date
-- of the draft in that year: a superset of each clause's own days gives the same merge), with its
-- buyer's and supplier's attributes of that period. own_date: the record's own date (NULL when
-- undated), which is what a clause reading subject.date sees.
CREATE OR REPLACE TEMP VIEW purchase_x AS
SELECT *, date AS own_date, false AS undated FROM purchase WHERE date IS NOT NULL
UNION ALL BY NAME
SELECT p.* REPLACE (d.day AS date, d.year AS year, b.kind AS buyer_kind, b.desa_code AS buyer_desa, b.umkk AS buyer_umkk,
                    s.umkk AS supplier_umkk, s.local AS supplier_local, s.desa_code AS supplier_desa,
                    s.kabupaten_code AS supplier_kab, s.kecamatan_code AS supplier_kec),
       NULL::DATE AS own_date, true AS undated
FROM (SELECT * FROM purchase WHERE date IS NULL) p
CROSS JOIN (SELECT year, unnest(list_distinct([make_date(year, 1, 1)] || list_filter(
                [DATE '2018-03-22', DATE '2018-07-01', DATE '2021-02-02', DATE '2025-04-30', DATE '2027-01-01', DATE '2027-04-30',
                 DATE '2028-01-01'], lambda x: year(x) = year))) AS day FROM period) d
LEFT JOIN party_year b ON b.id = p.buyer_id AND b.year = d.year
LEFT JOIN party_year s ON s.id = p.supplier_id AND s.year = d.year;
"""


def _merged(sql: str) -> str:
    """A per-purchase clause over purchase_x with an undated purchase's days merged into one finding
    (perbup_rules.periods.merge_variants): out of scope on every day, none; compliant wherever in
    scope, compliant; a violation on every day, a violation; else cannot_determine. No period."""
    return f"""
WITH v AS ({sql})
SELECT subject, period, stage, category, status FROM v WHERE NOT undated
UNION ALL
SELECT subject, NULL, stage, category, CASE
    WHEN bool_and(status = 'compliant') FILTER (WHERE status <> 'not_applicable') THEN 'compliant'
    WHEN bool_and(status = 'violation') THEN 'violation'
    ELSE 'cannot_determine' END
FROM v WHERE undated GROUP BY subject, stage, category
HAVING count(*) FILTER (WHERE status <> 'not_applicable') > 0
"""

# --- one SQL block per clause: rows (subject, period, stage, status) ----------------------
CLAUSE_SQL: dict[str, str] = {}

# KMT-03 (Pasal 4 ayat 1-2): packages of perangkat daerah up to Rp15 bn (Rp2.5 bn before
# 2021-02-02) for goods, works or other services go to UMKK (reserved in the plan; supplier UMKK
# at award and contract), unless a technical exemption is documented. In force 2018-03-22.
CLAUSE_SQL["KMT-03"] = _merged("""
SELECT id AS subject, year AS period, stage, NULL AS category, undated, CASE
    WHEN date < DATE '2018-03-22' THEN 'not_applicable'
    WHEN applies IS FALSE THEN 'not_applicable'
    WHEN require IS TRUE THEN 'compliant'
    WHEN exempt_tech THEN 'compliant'                             -- unless: technical_exemption (coded)
    WHEN applies AND NOT require THEN 'violation'
    ELSE 'cannot_determine' END AS status
FROM (SELECT *,
        buyer_kind = 'perangkat_daerah' AND ptype IN ('barang', 'pekerjaan_konstruksi', 'jasa_lainnya')
            AND CASE WHEN pagu IS NOT NULL THEN pagu <= 100 * umkk_reserved_max(date)
                     ELSE value <= 100 * umkk_reserved_max(date) END AS applies,  -- pagu, else the value
        (stage = 'plan' AND reserved) OR (stage <> 'plan' AND supplier_umkk) AS require
      FROM purchase_x)
""")

# KMT-12.1 (Pasal 7 ayat 1 and 3, issue 13): uniform packages of perangkat daerah with a pagu up to
# the reservation ceiling go to UMKK, the pagu read as in KMT-03 (unknown: the value), with KMT-03's
# technical exemption. In force params.obligations_from (2027-01-01).
CLAUSE_SQL["KMT-12.1"] = _merged("""
SELECT id AS subject, year AS period, stage, NULL AS category, undated, CASE
    WHEN date < DATE '2027-01-01' THEN 'not_applicable'
    WHEN applies IS FALSE THEN 'not_applicable'
    WHEN require IS TRUE THEN 'compliant'
    WHEN exempt_tech THEN 'compliant'                             -- unless: technical_exemption (coded)
    WHEN applies AND NOT require THEN 'violation'
    ELSE 'cannot_determine' END AS status
FROM (SELECT *,
        buyer_kind = 'perangkat_daerah' AND category IN ('seragam_sekolah', 'seragam_guru')
            AND CASE WHEN pagu IS NOT NULL THEN pagu <= 100 * umkk_reserved_max(date)
                     ELSE value <= 100 * umkk_reserved_max(date) END AS applies,
        (stage = 'plan' AND reserved) OR (stage <> 'plan' AND supplier_umkk) AS require
      FROM purchase_x)
""")

# KMT-12.3 (Pasal 7 ayat 4): uniform packages above the reservation ceiling (the pagu read as in
# KMT-12.1) prefer UMKK at award and contract; KMT-03's technical exemption excuses. A warning.
# In force params.obligations_from (2027-01-01).
CLAUSE_SQL["KMT-12.3"] = _merged("""
SELECT id AS subject, year AS period, stage, NULL AS category, undated, CASE
    WHEN date < DATE '2027-01-01' THEN 'not_applicable'
    WHEN applies IS FALSE THEN 'not_applicable'
    WHEN require IS TRUE THEN 'compliant'
    WHEN exempt_tech THEN 'compliant'                             -- unless: technical_exemption (coded)
    WHEN applies AND NOT require THEN 'violation'
    ELSE 'cannot_determine' END AS status
FROM (SELECT *,
        buyer_kind = 'perangkat_daerah' AND category IN ('seragam_sekolah', 'seragam_guru') AND stage <> 'plan'
            AND CASE WHEN pagu IS NOT NULL THEN pagu > 100 * umkk_reserved_max(date)
                     ELSE value > 100 * umkk_reserved_max(date) END AS applies,
        supplier_umkk AS require
      FROM purchase_x)
""")

# KMT-11.2 (Pasal 6 ayat 2): sand and stone bought by a perangkat daerah (award/contract) come from a
# licensed supplier. Under the named assumption licensed (on: the baseline has no --no-assume) an
# unknown licence, or no supplier, counts as held: only a supplier known to be unlicensed violates.
# In force params.obligations_from (2027-01-01).
CLAUSE_SQL["KMT-11.2"] = _merged("""
SELECT id AS subject, year AS period, stage, NULL AS category, undated, CASE
    WHEN date < DATE '2027-01-01' THEN 'not_applicable'
    WHEN applies IS FALSE THEN 'not_applicable'
    WHEN require IS TRUE THEN 'compliant'
    WHEN applies AND NOT require THEN 'violation'
    ELSE 'cannot_determine' END AS status
FROM (SELECT *,
        category = 'material_pasir_batu' AND stage <> 'plan' AND buyer_kind = 'perangkat_daerah' AS applies,
        coalesce(supplier_licensed, true) AS require               -- assumed(licensed)
      FROM purchase_x)
""")

# KMT-14 (Pasal 8 ayat 1): a desa buys (award/contract) from a provider in the same desa (Kemendagri
# codes); another Kutim desa only with the reason code not_available_in_desa, outside Kutim only
# with not_available_in_kabupaten. In force 2025-04-30.
CLAUSE_SQL["KMT-14"] = _merged("""
SELECT id AS subject, year AS period, stage, NULL AS category, undated, CASE
    WHEN date < DATE '2025-04-30' THEN 'not_applicable'
    WHEN applies IS FALSE THEN 'not_applicable'
    WHEN require IS TRUE THEN 'compliant'
    WHEN in_desa IS TRUE OR in_kab IS TRUE THEN 'compliant'       -- unless: the recorded reason codes
    WHEN applies AND NOT require AND in_desa IS FALSE AND in_kab IS FALSE THEN 'violation'
    ELSE 'cannot_determine' END AS status
FROM (SELECT *,
        buyer_kind = 'desa' AND stage <> 'plan' AS applies,
        supplier_kab = '64.08' AND supplier_desa = buyer_desa AS require,
        supplier_kab = '64.08' AND list_contains(reasons, 'not_available_in_desa') AS in_desa,
        supplier_kab <> '64.08' AND list_contains(reasons, 'not_available_in_kabupaten') AS in_kab
      FROM purchase_x)
""")

# KMT-14.2 (Pasal 8 ayat 2): from 2027-04-30 a desa purchase from a provider (not e-purchasing, not
# swakelola) needs the reason code e_purchasing_not_available. An unknown channel: applies unknown.
CLAUSE_SQL["KMT-14.2"] = _merged("""
SELECT id AS subject, year AS period, stage, NULL AS category, undated, CASE
    WHEN date < DATE '2027-04-30' THEN 'not_applicable'
    WHEN applies IS FALSE THEN 'not_applicable'
    WHEN require THEN 'compliant'
    WHEN applies THEN 'violation'
    ELSE 'cannot_determine' END AS status
FROM (SELECT *,
        buyer_kind = 'desa' AND stage <> 'plan' AND channel <> 'e_purchasing' AND channel <> 'swakelola' AS applies,
        list_contains(reasons, 'e_purchasing_not_available') AS require
      FROM purchase_x)
""")

# KMT-04 (Pasal 4 ayat 3-5; perbup_rules.windows): a possible split of Pengadaan Langsung packages.
# Per buyer, category, year and stage: packages (perangkat daerah, method pengadaan_langsung, in force
# 2018-07-01) each at or below its ceiling on its own date (by procurement_type), within 30 days (both
# ends counted) and together above a ceiling L, counting each package whose ceiling is at most L.
# A member is certain when its membership, ceiling, value, date, buyer and category are known; else
# possible: any ceiling it may have (every ceiling when its type or membership is unknown), its value
# or, unknown, its greatest ceiling; undated, in every window of its buyer's groups of the year and
# stage (per audited year); without a category, in every group of its buyer (dated, with none there:
# a group of unknown category). A certain split is a violation; no possible split, compliant; else
# cannot_determine.
CLAUSE_SQL["KMT-04"] = """
WITH day_row AS (  -- each purchase on each of its days, when it may be a member there
    SELECT id, rn, year, stage, buyer_id AS subj, category AS grp, value, undated, own_date,
        (buyer_kind = 'perangkat_daerah' AND method = 'pengadaan_langsung') IS NULL AS maybe,
        CASE WHEN ptype IS NULL THEN NULL
             WHEN ptype = 'jasa_konsultansi' THEN direct_consultancy_max(date)
             WHEN ptype = 'pekerjaan_konstruksi' THEN direct_construction_max(date)
             ELSE direct_goods_max(date) END AS lim
    FROM purchase_x
    WHERE date >= DATE '2018-07-01' AND (buyer_kind = 'perangkat_daerah' AND method = 'pengadaan_langsung') IS NOT FALSE
), lim_row AS (  -- a ceiling it may be under (all of them when its case or ceiling is unknown)
    SELECT id, rn, year, stage, subj, grp, value, undated, own_date, maybe OR lim IS NULL AS loose,
        unnest(CASE WHEN lim IS NULL THEN direct_every_max() ELSE [lim] END) AS c
    FROM day_row
), mem AS (  -- one possible or certain member per purchase and year, with the ceilings at or above its value
    SELECT id, year, any_value(stage) AS stage, any_value(subj) AS subj, any_value(grp) AS grp,
        any_value(value) AS value, bool_or(undated) AS undated, any_value(own_date) AS d, any_value(rn) AS rn,
        list_distinct(list(c)) AS lims,
        NOT bool_or(undated) AND NOT bool_or(loose) AND count(DISTINCT c) = 1 AND any_value(value) IS NOT NULL
            AND any_value(subj) IS NOT NULL AND any_value(grp) IS NOT NULL AS certain
    FROM lim_row WHERE value IS NULL OR value <= 100 * c
    GROUP BY id, year
), grp AS (  -- groups: dated members of a known category; dated ones without a category and no group of
             -- their buyer, year and stage make one of unknown category (from the first of them in file
             -- order: an undated member without a category before it is not placed there, as in the engine)
    SELECT DISTINCT subj, grp, year, stage, NULL::BIGINT AS first_rn FROM mem WHERE d IS NOT NULL AND grp IS NOT NULL
    UNION ALL
    SELECT m.subj, NULL, m.year, m.stage, min(m.rn) FROM mem m WHERE m.d IS NOT NULL AND m.grp IS NULL
      AND NOT EXISTS (SELECT 1 FROM mem o WHERE o.d IS NOT NULL AND o.grp IS NOT NULL
                      AND o.subj IS NOT DISTINCT FROM m.subj AND o.year = m.year AND o.stage = m.stage)
    GROUP BY m.subj, m.year, m.stage
), placed AS (  -- each member in each group it may belong to
    SELECT g.subj, g.grp, g.year, g.stage, m.id, m.d, m.value, m.lims, m.certain
    FROM mem m JOIN grp g ON g.subj IS NOT DISTINCT FROM m.subj AND g.year = m.year AND g.stage = m.stage
        AND (m.grp IS NULL OR g.grp = m.grp)
    WHERE ((m.d IS NOT NULL AND m.grp IS NOT NULL AND g.grp = m.grp) OR m.d IS NULL OR m.grp IS NULL)
      AND NOT coalesce(m.d IS NULL AND m.rn < g.first_rn, false)
), ceil AS (  -- the ceilings L of each group
    SELECT DISTINCT subj, grp, year, stage, unnest(lims) AS l FROM placed
), contrib AS (  -- what each member adds to a window judged against L (none: no ceiling of it at or below L)
    SELECT c.subj, c.grp, c.year, c.stage, c.l, p.id, p.d, p.certain,
        coalesce(p.value, 100 * list_max(list_filter(p.lims, lambda x: x <= c.l))) AS amount
    FROM ceil c JOIN placed p ON p.subj IS NOT DISTINCT FROM c.subj AND p.grp IS NOT DISTINCT FROM c.grp
        AND p.year = c.year AND p.stage = c.stage
    WHERE len(list_filter(p.lims, lambda x: x <= c.l)) > 0
), loose AS (  -- undated members: in every window
    SELECT subj, grp, year, stage, l, sum(amount) AS amount FROM contrib WHERE d IS NULL GROUP BY ALL
), daily AS (
    SELECT subj, grp, year, stage, l, d,
        coalesce(sum(amount) FILTER (WHERE certain), 0) AS c_amt, coalesce(sum(amount) FILTER (WHERE NOT certain), 0) AS p_amt
    FROM contrib WHERE d IS NOT NULL GROUP BY ALL
), win AS (  -- a window starting on each member's date: [d, d + 29 days]
    SELECT subj, grp, year, stage, l,
        sum(c_amt) OVER w AS cs, sum(c_amt + p_amt) OVER w AS ps
    FROM daily
    WINDOW w AS (PARTITION BY subj, grp, year, stage, l ORDER BY d RANGE BETWEEN CURRENT ROW AND INTERVAL 29 DAYS FOLLOWING)
), facts AS (
    SELECT w.subj, w.grp, w.year, w.stage, bool_or(w.cs > 100 * w.l) AS split_certain,
        bool_or(w.ps + coalesce(o.amount, 0) > 100 * w.l) AS split_possible
    FROM win w LEFT JOIN loose o ON o.subj IS NOT DISTINCT FROM w.subj AND o.grp IS NOT DISTINCT FROM w.grp
        AND o.year = w.year AND o.stage = w.stage AND o.l = w.l
    GROUP BY ALL
    UNION ALL  -- the window of the undated members alone
    SELECT subj, grp, year, stage, false, amount > 100 * l FROM loose
), verdict AS (
    SELECT g.subj, g.grp, g.year, g.stage, coalesce(bool_or(f.split_certain), false) AS split_certain,
        coalesce(bool_or(f.split_possible), false) AS split_possible
    FROM grp g LEFT JOIN facts f ON f.subj IS NOT DISTINCT FROM g.subj AND f.grp IS NOT DISTINCT FROM g.grp
        AND f.year = g.year AND f.stage = g.stage
    GROUP BY ALL
)
SELECT subj AS subject, year AS period, stage, grp AS category, CASE
    WHEN split_certain THEN 'violation' WHEN NOT split_possible THEN 'compliant' ELSE 'cannot_determine' END AS status
FROM verdict
"""

# KMT-05 (Pasal 5, decided reading of issue 13): every award or contract a non-UMKK supplier won
# from a perangkat daerah (any value and type) is covered by a partnership of the supplier
# (partnerships.party_id = supplier_id), not known to be unwritten, with a UMKK partner (in the
# purchase's year), active on the purchase's date, and tied to this purchase or, tied to none,
# covering its category. Violations and cannot_determine become not_applicable
# (no_umkk_supplies_category) when no party may be a UMKK supplying the category (the UMKK status
# of the last period judged). In force 2021-02-02.
CLAUSE_SQL["KMT-05"] = """
WITH cand AS (
    SELECT p.id, p.year, k.id AS kid,
        (k.written IS NULL OR k.written) AND u.umkk AND k.start_date <= p.own_date
        AND (k.end_date IS NULL OR k.end_date >= p.own_date)
        AND CASE WHEN k.purchase_id IS NOT NULL THEN k.purchase_id = p.id
                 ELSE list_contains(k.categories, p.category) END AS match
    FROM purchase_x p
    JOIN partnership k ON k.party_id = p.supplier_id
    LEFT JOIN party_year u ON u.id = k.partner_id AND u.year = p.year
    WHERE p.buyer_kind = 'perangkat_daerah' OR p.buyer_kind IS NULL
), linked AS (
    SELECT id, year, count(*) FILTER (WHERE match IS TRUE) AS found, count(*) FILTER (WHERE match IS NULL) AS maybe
    FROM cand GROUP BY id, year
), pool AS (  -- categories some party may supply as UMKK (the last period's status)
    SELECT DISTINCT unnest(supplies) AS category FROM party_year
    WHERE year = (SELECT max(year) FROM period) AND umkk IS NOT FALSE
), judged AS (
    SELECT p.id AS subject, p.year AS period, p.stage, NULL AS category, p.undated, CASE
        WHEN date < DATE '2021-02-02' THEN 'not_applicable'
        WHEN applies IS FALSE THEN 'not_applicable'
        WHEN found >= 1 THEN 'compliant'
        WHEN applies AND found + maybe < 1 THEN 'violation'
        ELSE 'cannot_determine' END AS status
    FROM (SELECT p.*, coalesce(l.found, 0) AS found, coalesce(l.maybe, 0) AS maybe,
            buyer_kind = 'perangkat_daerah' AND stage IN ('award', 'contract') AND NOT supplier_umkk AS applies
          FROM purchase_x p LEFT JOIN linked l ON l.id = p.id AND l.year = p.year) p
), merged AS (""" + _merged("SELECT * FROM judged") + """)
SELECT m.subject, m.period, m.stage, m.category, CASE
    WHEN m.status IN ('violation', 'cannot_determine') AND p.category IS NOT NULL
         AND p.category NOT IN (SELECT category FROM pool) THEN 'not_applicable'
    ELSE m.status END AS status
FROM merged m JOIN purchase p ON p.id = m.subject
"""

# KMT-07 (Pasal 2 ayat 4): subjects are suppliers that won an award or contract from a perangkat
# daerah or desa in the period while declaring themselves mikro/kecil (awards_won, perbup_rules.
# subjects: unknown when only purchases of unknown buyer kind or period may count); they must be
# mikro/kecil by capital or sales (KMT-06). Per party and period; in force 2021-02-02.
CLAUSE_SQL["KMT-07"] = """
WITH won AS (
    SELECT supplier_id, year, buyer_kind FROM purchase
    WHERE stage IN ('award', 'contract') AND supplier_id IS NOT NULL
      AND (buyer_kind IS NULL OR buyer_kind IN ('perangkat_daerah', 'desa'))
), sure AS (
    SELECT supplier_id AS id, year, count(*) AS n FROM won
    WHERE buyer_kind IS NOT NULL AND year IS NOT NULL GROUP BY ALL
), maybe AS (
    SELECT DISTINCT w.supplier_id AS id, y.year FROM won w JOIN period y ON w.year IS NULL OR w.year = y.year
    WHERE w.buyer_kind IS NULL OR w.year IS NULL
), judged AS (
    SELECT p.id, p.year,
        CASE WHEN p.scale IN ('mikro', 'kecil') THEN CASE WHEN s.n > 0 THEN true WHEN m.id IS NOT NULL THEN NULL
                                                         ELSE false END
             ELSE false END AS applies,
        p.scale_computed IN ('mikro', 'kecil') AS require
    FROM party_year p JOIN period USING (year)
    LEFT JOIN sure s ON s.id = p.id AND s.year = p.year
    LEFT JOIN maybe m ON m.id = p.id AND m.year = p.year
)
SELECT id AS subject, year AS period, NULL AS stage, NULL AS category, CASE
    WHEN year_end(year) < DATE '2021-02-02' THEN 'not_applicable'
    WHEN require IS TRUE THEN 'compliant'
    WHEN applies AND NOT require THEN 'violation'
    ELSE 'cannot_determine' END AS status
FROM judged WHERE applies IS NOT FALSE
"""

# KMT-16 (Pasal 10 ayat 1-2) and its transitional KMT-16.T (Pasal 12), judged once per partnership
# (perbup_rules.once), both in force from params.obligations_from (2027-01-01):
# * KMT-16: a partnership started on or after that day is written and reported (a reported_date,
#   else the reported_to_dinas flag); judged on its start date, in that year if it is audited.
# * KMT-16.T: one started before and still running on it (no end date or one on or after it) is
#   written and reported by params.transition_deadline (2027-06-30): a reported_date on or before
#   it; with only the flag, true leaves the date unknown and false fails; judged on 2027-01-01.
# * A partnership without a start date (judged when an audited period reaches 2027): one finding
#   under KMT-16 with no period from both readings (perbup_rules.once.undated_finding): ended
#   before 2027-01-01, none; else KMT-16.T's outcome (began 2026-12-31) and KMT-16's (began on or
#   after 2027-01-01): the same compliant or violation, that; otherwise cannot_determine.
_KMT16_REQUIRE = "written AND (reported_date IS NOT NULL OR reported)"
_KMT16T_REQUIRE = ("written AND ((reported_date IS NOT NULL AND reported_date <= DATE '2027-06-30')"
                   " OR (reported_date IS NULL AND reported AND NULL::BOOLEAN))")


def _status(require: str) -> str:
    return f"CASE WHEN ({require}) THEN 'compliant' WHEN NOT ({require}) THEN 'violation' ELSE 'cannot_determine' END"


CLAUSE_SQL["KMT-16"] = f"""
SELECT id AS subject, year(start_date) AS period, NULL AS stage, NULL AS category, {_status(_KMT16_REQUIRE)} AS status
FROM partnership
WHERE start_date >= DATE '2027-01-01' AND year(start_date) IN (SELECT year FROM period)
UNION ALL
SELECT id, NULL, NULL, NULL, CASE
    WHEN s16 = sT THEN s16 ELSE 'cannot_determine' END
FROM (SELECT id, {_status(_KMT16_REQUIRE)} AS s16, {_status(_KMT16T_REQUIRE)} AS sT FROM partnership
      WHERE start_date IS NULL AND (SELECT max(year) FROM period) >= 2027
        AND NOT coalesce(end_date < DATE '2027-01-01', false))
"""
CLAUSE_SQL["KMT-16.T"] = f"""
SELECT id AS subject, 2027 AS period, NULL AS stage, NULL AS category, {_status(_KMT16T_REQUIRE)} AS status
FROM partnership
WHERE start_date < DATE '2027-01-01' AND (end_date IS NULL OR end_date >= DATE '2027-01-01')
  AND 2027 IN (SELECT year FROM period)
"""


def _kmt15(kinds: str, category: str) -> str:
    # KMT-15.1/15.2 (Pasal 9 ayat 1-2): per party and period, a hotel/restaurant that is not UMKK
    # (subjects; unknown kind or status: a possible subject) has a written partnership with a
    # local UMKK for the category, active during the period. In force params.obligations_from.
    return f"""
WITH matches AS (
    SELECT k.party_id, y.year,
        k.written AND u.umkk AND u.local AND list_contains(k.categories, '{category}')
            AND k.start_date <= year_end(y.year) AND (k.end_date IS NULL OR k.end_date >= make_date(y.year, 1, 1)) AS match
    FROM partnership k CROSS JOIN period y
    LEFT JOIN party_year u ON u.id = k.partner_id AND u.year = y.year
), counted AS (
    SELECT party_id, year, count(*) FILTER (WHERE match IS TRUE) AS found, count(*) FILTER (WHERE match IS NULL) AS maybe
    FROM matches GROUP BY party_id, year
)
SELECT id AS subject, year AS period, NULL AS stage, '{category}' AS category, CASE
    WHEN year_end(year) < DATE '2027-01-01' THEN 'not_applicable'      -- params.obligations_from
    WHEN found >= 1 THEN 'compliant'
    WHEN applies AND found + maybe < 1 THEN 'violation'
    ELSE 'cannot_determine' END AS status
FROM (SELECT p.id, p.year, kind IN ({kinds}) AND NOT umkk AS applies, coalesce(c.found, 0) AS found,
             coalesce(c.maybe, 0) AS maybe
      FROM party_year p JOIN period USING (year)
      LEFT JOIN counted c ON c.party_id = p.id AND c.year = p.year)
WHERE applies IS NOT FALSE
"""


# KMT-15.1 (Pasal 9 ayat 1): hotels and restaurants, food (makanan).
CLAUSE_SQL["KMT-15.1"] = _kmt15("'hotel', 'restaurant'", "makanan")
# KMT-15.2 (Pasal 9 ayat 2): hotels, laundry.
CLAUSE_SQL["KMT-15.2"] = _kmt15("'hotel'", "laundry")

# KMT-15.3 (Pasal 9 ayat 3, issue 13): judged from the yearly hotel_purchases report only (each over
# reports, in the period of its year, subject its party): a hotel or restaurant that is not UMKK
# (that year's status; unknown: a possible subject) buys at least 20% (2027) / 30% (2028-) of its
# food and laundry from local UMKK: local_umkk_idr / total_idr, exactly; a total of 0: not
# applicable. In force params.obligations_from; no reports table, not evaluated.
CLAUSE_SQL["KMT-15.3"] = """
SELECT party_id AS subject, year AS period, NULL AS stage, NULL AS category, CASE
    WHEN year_end(year) < DATE '2027-01-01' THEN 'not_applicable'
    WHEN applies IS FALSE THEN 'not_applicable'
    WHEN require IS TRUE THEN 'compliant'
    WHEN applies AND NOT require THEN 'violation'
    ELSE 'cannot_determine' END AS status
FROM (SELECT r.party_id, r.year, subj AND r.total > 0 AS applies,
             CASE WHEN r.total > 0 THEN 100 * r.local >= hotel_local_share_min_pct(year_end(r.year)) * r.total END AS require
      FROM (SELECT r.*, r.kind = 'hotel_purchases' AND y.kind IN ('hotel', 'restaurant') AND NOT y.umkk AS subj
            FROM report r JOIN period p ON p.year = r.year
            JOIN party_year y ON y.id = r.party_id AND y.year = r.year) r
      WHERE subj IS NOT FALSE)
"""


def _report_duty(subjects: str, kind: str, joins: str = "") -> str:
    # KMT-15.4 and KMT-18: per party and period, a subject files the yearly report of ``kind`` for
    # the year by 31 March of the next (a report without a submission date: cannot_determine).
    # In force params.obligations_from. A violation or cannot_determine whose deadline is after the
    # audit's as_of date (or with no date in the input) is not yet due: not_applicable. No reports
    # table: not evaluated.
    return f"""
WITH counted AS (
    SELECT party_id, year, count(*) FILTER (WHERE submitted <= make_date(year + 1, 3, 31)) AS found,
        count(*) FILTER (WHERE submitted IS NULL) AS maybe
    FROM report WHERE kind = '{kind}' GROUP BY party_id, year
), judged AS (
    SELECT id AS subject, year AS period, CASE
        WHEN year_end(year) < DATE '2027-01-01' THEN 'not_applicable'   -- params.obligations_from
        WHEN found >= 1 THEN 'compliant'
        WHEN applies AND found + maybe < 1 THEN 'violation'
        ELSE 'cannot_determine' END AS status
    FROM (SELECT p.id, p.year, {subjects} AS applies, coalesce(c.found, 0) AS found, coalesce(c.maybe, 0) AS maybe
          FROM party_year p JOIN period USING (year){joins}
          LEFT JOIN counted c ON c.party_id = p.id AND c.year = p.year)
    WHERE applies IS NOT FALSE AND (SELECT ok FROM reports_read)
)
SELECT subject, period, NULL AS stage, NULL AS category, CASE
    WHEN status IN ('violation', 'cannot_determine')
         AND coalesce(make_date(period + 1, 3, 31) > (SELECT d FROM as_of), true) THEN 'not_applicable'  -- not_yet_due
    ELSE status END AS status
FROM judged
"""


# KMT-15.4 (Pasal 9 ayat 4): hotels and restaurants that are not UMKK file a hotel_purchases report.
CLAUSE_SQL["KMT-15.4"] = _report_duty("kind IN ('hotel', 'restaurant') AND NOT umkk", "hotel_purchases")
# KMT-18 (Pasal 11 ayat 4): a company that is not UMKK and won an award or contract from a
# perangkat daerah or desa in the period (awards_won, as KMT-07: unknown when only purchases of
# unknown buyer kind or date may count) or filed a report for it (reports_filed) files a
# company_annual report.
CLAUSE_SQL["KMT-18"] = _report_duty(
    "kind = 'company' AND NOT umkk AND (CASE WHEN w.n > 0 THEN true WHEN m.id IS NOT NULL THEN NULL ELSE false END"
    " OR coalesce(f.n, 0) > 0)", "company_annual", joins="""
          LEFT JOIN (SELECT supplier_id AS id, year, count(*) AS n FROM purchase
                     WHERE stage IN ('award', 'contract') AND supplier_id IS NOT NULL AND year IS NOT NULL
                       AND buyer_kind IN ('perangkat_daerah', 'desa') GROUP BY ALL) w ON w.id = p.id AND w.year = p.year
          LEFT JOIN (SELECT DISTINCT x.supplier_id AS id, y.year FROM purchase x JOIN period y ON x.year IS NULL OR x.year = y.year
                     WHERE x.stage IN ('award', 'contract') AND x.supplier_id IS NOT NULL
                       AND (x.buyer_kind IS NULL OR x.year IS NULL)
                       AND (x.buyer_kind IS NULL OR x.buyer_kind IN ('perangkat_daerah', 'desa'))) m
                ON m.id = p.id AND m.year = p.year
          LEFT JOIN (SELECT party_id AS id, year, count(*) AS n FROM report GROUP BY ALL) f ON f.id = p.id AND f.year = p.year""")


def _share(*, subject: str, valid_from: str, applies: str, part: str, pct: str, parent: str | None = None) -> str:
    """A share clause: per (subject, year, stage), part/total >= at_least, judged on exact bounds.

    ``part`` is a CASE giving each member's part: a value, or NULL when its part case is
    unknown. Membership of a dated purchase: not in force or not applicable -> out; applies
    unknown -> member of unknown membership (counts in the denominator and the upper bound only).

    Possible members (issue 13, "Periods and undated records"; Judge.share_widen): an undated
    purchase, for every audited year on some day of which it may be a member, with its least and
    greatest part over those days, widens its subject's group of that year and stage if there is
    one (else it is dropped); a dated member without a subject but with a ``parent`` (KMT-02:
    buyer_id) widens every group of its parent, year and stage, and a parent with no group there
    gives one cannot_determine (subject: the parent); with neither, a group of unknown subject. The
    exact bounds then need no ordering: the least share meets the threshold iff
    100*known - pct*den + sum(min(0, 100*lo - pct*v)) >= 0 over the possible members, and the
    greatest fails it iff 100*upper - pct*den + sum(max(0, 100*hi - pct*v)) < 0.
    """
    par = parent or "NULL"
    placed = "subject IS NOT NULL OR parent IS NULL" if parent else "TRUE"
    return f"""
WITH member AS (
    SELECT id, {subject} AS subject, {par} AS parent, year, stage, value, undated,
        CASE WHEN date < DATE '{valid_from}' THEN 'out'
             WHEN ({applies}) IS NULL THEN 'unknown'
             WHEN NOT ({applies}) THEN 'out'
             ELSE 'in' END AS gate,
        {part} AS part
    FROM purchase_x
), grp AS (
    SELECT subject, year, stage,
        count(*) FILTER (WHERE value IS NULL) AS total_missing,
        coalesce(sum(value), 0) AS den,                                              -- every known total
        coalesce(sum(least(part, value)) FILTER (WHERE gate = 'in' AND part IS NOT NULL AND value IS NOT NULL), 0) AS known,
        coalesce(sum(value) FILTER (WHERE gate = 'in' AND part IS NULL), 0) AS part_unknown,
        coalesce(sum(value) FILTER (WHERE gate = 'unknown'), 0) AS member_unknown
    FROM member WHERE NOT undated AND gate <> 'out' AND ({placed})
    GROUP BY subject, year, stage
    UNION ALL  -- undated, with neither subject nor parent: a group of unknown subject per year and stage
    SELECT DISTINCT NULL, year, stage, 0, 0, 0, 0, 0 FROM member
    WHERE undated AND gate <> 'out' AND subject IS NULL AND parent IS NULL
), parents AS (
    SELECT DISTINCT subject, year, stage, parent FROM member
    WHERE NOT undated AND gate <> 'out' AND subject IS NOT NULL AND parent IS NOT NULL
), item AS (  -- possible members: (subject or parent, year, stage, value, least part, greatest part)
    SELECT subject, parent, year, stage, value,
        CASE WHEN gate = 'unknown' OR part IS NULL THEN 0 ELSE least(part, value) END AS lo,
        CASE WHEN gate = 'unknown' OR part IS NULL THEN value ELSE least(part, value) END AS hi
    FROM member WHERE NOT undated AND gate <> 'out' AND subject IS NULL AND parent IS NOT NULL
    UNION ALL
    SELECT subject, parent, year, stage, any_value(value),
        min(CASE WHEN gate = 'unknown' OR part IS NULL THEN 0 ELSE least(part, value) END),
        max(CASE WHEN gate = 'unknown' OR part IS NULL THEN value ELSE least(part, value) END)
    FROM member WHERE undated AND gate <> 'out'
    GROUP BY id, subject, parent, year, stage
), placed AS (  -- each possible member with the group(s) it may belong to
    SELECT i.subject AS g_subject, i.year, i.stage, i.value, i.lo, i.hi FROM item i
    WHERE i.subject IS NOT NULL OR i.parent IS NULL
    UNION ALL
    SELECT p.subject, i.year, i.stage, i.value, i.lo, i.hi FROM item i
    JOIN parents p ON p.parent = i.parent AND p.year = i.year AND p.stage IS NOT DISTINCT FROM i.stage
    WHERE i.subject IS NULL AND i.parent IS NOT NULL
), judged AS (
    SELECT g.*, {pct}(year_end(g.year)) AS pct FROM grp g
), widened AS (
    SELECT j.subject, j.year, j.stage,
        coalesce(sum(least(0, 100 * i.lo - j.pct * i.value)), 0) AS lo_adj,
        coalesce(sum(greatest(0, 100 * i.hi - j.pct * i.value)), 0) AS hi_adj,
        count(i.year) FILTER (WHERE i.value IS NULL) AS items_missing,
        count(i.year) FILTER (WHERE i.value <> 0) AS n_items
    FROM judged j
    LEFT JOIN placed i ON i.g_subject IS NOT DISTINCT FROM j.subject AND i.year = j.year
        AND i.stage IS NOT DISTINCT FROM j.stage
    GROUP BY j.subject, j.year, j.stage
)
SELECT j.subject, j.year AS period, j.stage, NULL AS category, CASE
    WHEN j.year IS NULL OR j.subject IS NULL THEN 'cannot_determine'
    WHEN j.total_missing = 0 AND j.den = 0 AND w.n_items = 0 AND w.items_missing = 0 THEN 'not_applicable'
    WHEN j.total_missing > 0 OR w.items_missing > 0 OR j.pct IS NULL THEN 'cannot_determine'
    WHEN 100 * j.known - j.pct * j.den + w.lo_adj >= 0 THEN 'compliant'              -- lower bound meets it
    WHEN 100 * (j.known + j.part_unknown + j.member_unknown) - j.pct * j.den + w.hi_adj < 0
        THEN 'violation'                                                               -- upper bound fails it
    ELSE 'cannot_determine' END AS status
FROM judged j JOIN widened w ON w.subject IS NOT DISTINCT FROM j.subject AND w.year IS NOT DISTINCT FROM j.year
    AND w.stage IS NOT DISTINCT FROM j.stage
UNION ALL
SELECT DISTINCT i.parent, i.year, i.stage, NULL, 'cannot_determine' FROM item i
WHERE i.subject IS NULL AND i.parent IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM parents p WHERE p.parent = i.parent AND p.year = i.year
                  AND p.stage IS NOT DISTINCT FROM i.stage)
"""


# UMK part of KMT-01/KMT-02: the source's umk_value_idr; in the plan the reserved packages;
# at award/contract the whole value when the supplier is UMKK.
_UMKK_PART = """CASE
        WHEN umk IS NOT NULL THEN umk
        WHEN stage = 'plan' AND reserved THEN value
        WHEN (stage = 'plan' AND reserved) IS NULL THEN NULL
        WHEN stage = 'plan' THEN 0
        WHEN supplier_umkk THEN value
        WHEN supplier_umkk IS NULL THEN NULL
        ELSE 0 END"""
# Local UMKK part of KMT-11/12.2/15.3: the whole value when the supplier is UMKK and local.
_LOCAL_PART = """CASE
        WHEN supplier_umkk AND supplier_local THEN value
        WHEN (supplier_umkk AND supplier_local) IS NULL THEN NULL
        ELSE 0 END"""

# KMT-01 (Pasal 3 ayat 1): each perangkat daerah spends at least 40% on UMKK, per year and stage.
CLAUSE_SQL["KMT-01"] = _share(subject="buyer_id", valid_from="2021-02-02", applies="buyer_kind = 'perangkat_daerah'",
                              part=_UMKK_PART, pct="umkk_share_min_pct")
# KMT-02 (Pasal 3 ayat 2): each PPK of a perangkat daerah allocates at least 40% to UMKK.
CLAUSE_SQL["KMT-02"] = _share(subject="ppk_id", valid_from="2025-04-30", applies="buyer_kind = 'perangkat_daerah'",
                              part=_UMKK_PART, pct="umkk_share_min_pct", parent="buyer_id")
# KMT-11 (Pasal 6 ayat 1): at least 50% of a perangkat daerah's sand and stone from licensed local
# UMKK (an unknown licence counts as held: assumed(licensed), on). Unless no party may be a licensed
# local UMKK supplying sand and stone (judged on the last period's attributes, every party of the
# data): then its violations and cannot_determine are not_applicable (unless_no_supplier).
CLAUSE_SQL["KMT-11"] = """
WITH judged AS (""" + _share(
    subject="buyer_id", valid_from="2027-01-01",
    applies="buyer_kind = 'perangkat_daerah' AND category = 'material_pasir_batu' AND stage <> 'plan'",
    part="""CASE
        WHEN supplier_umkk AND supplier_local AND coalesce(supplier_licensed, true) THEN value
        WHEN (supplier_umkk AND supplier_local AND coalesce(supplier_licensed, true)) IS NULL THEN NULL
        ELSE 0 END""", pct="local_material_share_min_pct") + """
), pool AS (  -- a party that may be a licensed local UMKK supplying sand and stone
    SELECT count(*) AS n FROM party_year
    WHERE year IS NOT DISTINCT FROM (SELECT max(year) FROM period)
      AND (umkk AND kabupaten_code = '64.08' AND list_contains(supplies, 'material_pasir_batu')
           AND coalesce(licensed, true)) IS NOT FALSE
)
SELECT subject, period, stage, category, CASE
    WHEN status IN ('violation', 'cannot_determine') AND (SELECT n FROM pool) = 0 THEN 'not_applicable'
    ELSE status END AS status
FROM judged
"""
# KMT-12.2 (Pasal 7 ayat 2): at least 70% of uniforms from local UMKK.
CLAUSE_SQL["KMT-12.2"] = _share(
    subject="buyer_id", valid_from="2027-01-01",
    applies="buyer_kind = 'perangkat_daerah' AND category IN ('seragam_sekolah', 'seragam_guru') AND stage <> 'plan'",
    part=_LOCAL_PART, pct="uniform_local_share_min_pct")
# --- running it -------------------------------------------------------------------------------

def _header(path: Path) -> tuple[str, list[str]]:
    """The delimiter (sniffed from the header line, as the importer does) and the header names."""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        first = fh.readline()
    counts = {d: first.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    delim = best if counts[best] > 0 else ","
    names = next(csv.reader([first], delimiter=delim), [])
    return delim, [n.strip().lower() for n in names]


def _find(folder: Path, name: str) -> Path | None:
    exact = folder / name
    if exact.is_file():
        return exact
    for p in sorted(folder.iterdir()):
        if p.name.lower() == name and p.is_file():
            return p
    return None


def _source(folder: Path, table: str) -> tuple[str, str]:
    """(read_csv call, select list of the raw cells named c_<column>, NULL for absent columns)."""
    path = _find(folder, f"{table}.csv")
    if path is None:
        if table in ("partnerships", "reports"):  # optional: no partnerships, no reports
            return "(SELECT 1 WHERE false)", ", ".join(f"NULL::VARCHAR AS c_{c}" for c in COLUMNS[table])
        raise FileNotFoundError(f"{folder} has no {table}.csv")
    delim, names = _header(path)
    index: dict[str, int] = {}
    for i, n in enumerate(names):
        if n:
            index.setdefault(n, i)
    types = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(names))) + "}"
    src = (f"read_csv('{_q(str(path))}', header=true, auto_detect=false, columns={types}, delim='{_q(delim)}', "
           "quote='\"', escape='\"', null_padding=true)")
    cols = ", ".join(f"c{index[c]} AS c_{c}" if c in index else f"NULL::VARCHAR AS c_{c}" for c in COLUMNS[table])
    return src, cols


def _q(s: str) -> str:
    return s.replace("'", "''")


def add_region_codes(con) -> None:
    """Kemendagri codes for the parties' place names (docs/regions.md), one lookup per distinct place.

    Written names become codes with the project's resolver (a lookup table, not a rule: the rules
    then compare codes in SQL like the engine does). Code columns a file carries are not read here.
    """
    from perbup_rules.records import Party
    from perbup_rules.regions import resolve_party

    places = con.execute("SELECT DISTINCT kabupaten, kecamatan, desa FROM party").fetchall()
    rows = []
    for kab, kec, desa in places:
        p = resolve_party(Party(id="-", kabupaten=kab, kecamatan=kec, desa=desa))
        rows.append((kab, kec, desa, p.kabupaten_code, p.kecamatan_code, p.desa_code))
    con.execute("CREATE OR REPLACE TEMP TABLE region_code (kabupaten VARCHAR, kecamatan VARCHAR, desa VARCHAR, "
                "kabupaten_code VARCHAR, kecamatan_code VARCHAR, desa_code VARCHAR)")
    if rows:
        con.executemany("INSERT INTO region_code VALUES (?, ?, ?, ?, ?, ?)", rows)
    con.execute("""CREATE OR REPLACE TEMP TABLE party AS
        SELECT p.*, r.kabupaten_code, r.kecamatan_code, r.desa_code FROM party p LEFT JOIN region_code r
        ON r.kabupaten IS NOT DISTINCT FROM p.kabupaten AND r.kecamatan IS NOT DISTINCT FROM p.kecamatan
           AND r.desa IS NOT DISTINCT FROM p.desa""")


# Required partnerships (remedy) of the violations of KMT-05 (grouped per supplier, category and
# year) and KMT-15.1/15.2 (per party, category and year), with their candidates: local UMKK
# (DEF-01/DEF-02 in that year) supplying the category, the subject's kecamatan first, then by id.
REQUIRED_SQL = """
WITH need AS (
    SELECT DISTINCT 'KMT-05' AS clause, p.supplier_id AS party, coalesce(p.year, (SELECT min(year) FROM period)) AS period,
        p.category, p.supplier_kec AS kec
    FROM finding f JOIN purchase p ON p.id = f.subject
    WHERE f.clause = 'KMT-05' AND f.status = 'violation'
    UNION ALL
    SELECT f.clause, f.subject, f.period, f.category, y.kecamatan_code
    FROM finding f JOIN party_year y ON y.id = f.subject AND y.year = f.period
    WHERE f.clause IN ('KMT-15.1', 'KMT-15.2') AND f.status = 'violation'
), pool AS (
    SELECT n.clause, n.party, n.period, n.category, c.id,
        CASE WHEN c.kecamatan_code = n.kec THEN 0 ELSE 1 END AS rank
    FROM need n JOIN party_year c ON c.year = n.period AND c.umkk AND c.local AND list_contains(c.supplies, n.category)
)
SELECT n.clause, n.party, n.period, n.category, count(p.id) AS candidate_count,
    coalesce(list(p.id ORDER BY p.rank, p.id) FILTER (WHERE p.id IS NOT NULL), []::VARCHAR[]) AS candidates
FROM need n LEFT JOIN pool p ON p.clause = n.clause AND p.party = n.party AND p.period = n.period
    AND p.category IS NOT DISTINCT FROM n.category
GROUP BY ALL
"""


def _connect(folder: Path):
    """A connection with the typed tables of ``folder`` loaded (LOAD), refusing what is not handled."""
    fill = {}
    for table in COLUMNS:
        src, cols = _source(folder, table)
        fill[f"__src_{table}__"], fill[f"__{table}_cols__"] = src, cols
    con = duckdb.connect()
    con.execute(MACROS)
    load = LOAD
    for key, text in fill.items():
        load = load.replace(key, text)
    before, after = load.split("__REGIONS__")
    con.execute(before)
    refused = con.execute("""SELECT
        (SELECT count(*) FROM purchase_all WHERE value = -1 OR umk = -1)
            + (SELECT count(*) FROM party_all WHERE capital = -1 OR sales = -1)
            + (SELECT count(*) FROM report_all WHERE total = -1 OR local = -1),
        (SELECT count(*) FROM party_all WHERE has_codes),
        (SELECT count(*) FROM purchase_all WHERE trimmed(c_fiscal_year) IS NOT NULL)""").fetchone()
    if refused[0]:
        raise NotImplementedError(f"{refused[0]} amounts have more than two decimal places (not handled)")
    if refused[1]:
        raise NotImplementedError(f"{refused[1]} parties carry Kemendagri code columns (not read; codes come from names)")
    if refused[2]:
        raise NotImplementedError(f"{refused[2]} purchases carry a fiscal_year (periods other than the date's year: not handled)")
    add_region_codes(con)
    con.execute(after)
    # without reports.csv the clauses fed by reports are not evaluated (perbup_rules.duties)
    con.execute(f"CREATE OR REPLACE TEMP TABLE reports_read AS SELECT {_find(folder, 'reports.csv') is not None} AS ok")
    return con


def verdicts(folder: str | Path, out: str | Path | None = None, max_candidates: int = 0) -> dict:
    """Every clause's findings over ``folder``, in the terms of :func:`report_terms`.

    ``out``: also write them, as the library's report does: ``out`` (JSON: summary, the clauses
    not encoded, the file names), ``out``.findings.csv (every violation and cannot_determine:
    clause, subject, period, stage, category, status) and ``out``.required.csv (required
    partnerships: clause, party, period, category, candidate_count, the ranked candidates joined
    by ';', the first ``max_candidates`` of them, 0 for all), written by DuckDB's COPY.
    """
    folder = Path(folder)
    con = _connect(folder)
    try:
        con.execute("CREATE OR REPLACE TEMP TABLE finding (clause VARCHAR, subject VARCHAR, period INTEGER, "
                    "stage VARCHAR, category VARCHAR, status VARCHAR)")
        for clause, sql in CLAUSE_SQL.items():
            if clause in OUTDATED:  # its reading changed: neither judged nor compared
                continue
            con.execute(f"INSERT INTO finding SELECT '{clause}', subject, period, stage, category, status FROM ({sql})")
        con.execute(f"CREATE OR REPLACE TEMP TABLE required AS {REQUIRED_SQL}")
        cut = f"[1:{int(max_candidates)}]" if max_candidates else ""
        if out is not None:
            out = Path(out)
            con.execute(f"""COPY (SELECT clause, subject, period, stage, category, status FROM finding
                                  WHERE status IN ('violation', 'cannot_determine') ORDER BY ALL)
                            TO '{_q(str(out))}.findings.csv' (HEADER, DELIMITER ',')""")
            con.execute(f"""COPY (SELECT clause, party, period, category, candidate_count,
                                         array_to_string(candidates{cut}, ';') AS candidates
                                  FROM required ORDER BY clause, party, period, category)
                            TO '{_q(str(out))}.required.csv' (HEADER, DELIMITER ',')""")
        summary = {c: {s: 0 for s in STATUSES} for c in sorted(CLASSIFY + tuple(CLAUSE_SQL)) if c not in OUTDATED}
        for clause, status, n in con.execute("SELECT clause, status, count(*) FROM finding GROUP BY ALL").fetchall():
            summary[clause][status] = n
        listed = con.execute("""SELECT clause, subject, period, stage, category, status FROM finding
                                WHERE status IN ('violation', 'cannot_determine')""").fetchall()
        required = con.execute(f"SELECT clause, party, period, category, candidate_count, candidates{cut} FROM required").fetchall()
        result = {"summary": summary, "listed": set(listed),
                  "required": {(c, p, y, cat): (n, tuple(cands)) for c, p, y, cat, n, cands in required},
                  "not_encoded": sorted(OUTDATED)}
        if out is not None:
            out.write_text(json.dumps({"summary": summary, "not_encoded": sorted(OUTDATED),
                                       "findings": f"{out.name}.findings.csv", "required": f"{out.name}.required.csv"},
                                      indent=1), encoding="utf-8")
        return result
    finally:
        con.close()


def read_output(out: str | Path) -> dict:
    """What :func:`verdicts` wrote to ``out``, in the terms of :func:`report_terms`."""
    out = Path(out)
    head = json.loads(out.read_text(encoding="utf-8"))
    with open(out.parent / head["findings"], encoding="utf-8", newline="") as fh:
        listed = {(r["clause"], r["subject"], int(r["period"]) if r["period"] else None, r["stage"] or None,
                   r["category"] or None, r["status"]) for r in csv.DictReader(fh)}
    with open(out.parent / head["required"], encoding="utf-8", newline="") as fh:
        required = {(r["clause"], r["party"], int(r["period"]) if r["period"] else None, r["category"] or None):
                    (int(r["candidate_count"]), tuple(x for x in r["candidates"].split(";") if x))
                    for r in csv.DictReader(fh)}
    return {"summary": head["summary"], "listed": listed, "required": required, "not_encoded": head["not_encoded"]}


def report_terms(report: dict) -> dict:
    """The library's JSON report (docs/report-format.md) in the baseline's terms: the summary,
    the listed violations and cannot_determine as (clause, subject, period, stage, category,
    status), and the required partnerships as (clause, party, period, category) ->
    (candidate_count, candidates listed)."""
    listed = {(f["clause"], f["subject"], f["period"], f["stage"], f["category"], f["status"])
              for f in report["findings"] if f["status"] in ("violation", "cannot_determine")}
    required = {}
    for r in report.get("required_partnerships", ()):
        cands = tuple(r.get("candidates") or ())
        required[(r["clause"], r["party"], r["period"], r["category"])] = (r.get("candidate_count", len(cands)), cands)
    return {"summary": report["summary"], "listed": listed, "required": required}


def differences(lib: dict, query: dict, limit: int = 20) -> list[str]:
    """Where the library's findings (report_terms) and the query's differ, on the clauses the query
    encodes; candidates are compared on the count and on the ranked ids both list."""
    encoded = set(query["summary"])
    out = []
    for c in sorted(encoded):
        if lib["summary"].get(c) != query["summary"][c]:
            out.append(f"{c} summary: library {lib['summary'].get(c)} query {query['summary'][c]}")
    mine = {x for x in lib["listed"] if x[0] in encoded}
    for x in sorted(mine - query["listed"], key=str)[:limit]:
        out.append(f"only in the library: {x}")
    for x in sorted(query["listed"] - mine, key=str)[:limit]:
        out.append(f"only in the query: {x}")
    lreq = {k: v for k, v in lib["required"].items() if k[0] in encoded}
    for k in sorted(set(lreq) ^ set(query["required"]), key=str)[:limit]:
        out.append(f"required partnership {k} only in the {'library' if k in lreq else 'query'}")
    for k in sorted(set(lreq) & set(query["required"]), key=str):
        (ln, lc), (qn, qc) = lreq[k], query["required"][k]
        m = min(len(lc), len(qc))
        if ln != qn or lc[:m] != qc[:m]:
            out.append(f"required partnership {k}: library {ln} {lc[:5]}... query {qn} {qc[:5]}...")
            if len(out) > 3 * limit:
                break
    return out


def _rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", type=Path, help="canonical dataset folder (parties.csv, purchases.csv, partnerships.csv)")
    ap.add_argument("--repeat", type=int, default=3, help="runs; the median wall time is printed (default %(default)s)")
    ap.add_argument("--out", type=Path, default=None, help="write the findings here (and OUT.findings.csv, OUT.required.csv)")
    ap.add_argument("--max-candidates", type=int, default=0, help="candidates listed per required partnership (0: all)")
    args = ap.parse_args(argv)
    times, cpu = [], []
    result = None
    for _ in range(max(1, args.repeat)):
        t0, c0 = time.perf_counter(), time.process_time()
        result = verdicts(args.folder, args.out, args.max_candidates)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)  # all threads: the steadier figure on a shared machine
    print(f"duckdb baseline: median {statistics.median(times):.3f} s wall over {len(times)} run(s) "
          f"({', '.join(f'{t:.3f}' for t in times)}), median {statistics.median(cpu):.3f} s CPU; "
          f"peak RSS {_rss_mb():.0f} MB; duckdb {duckdb.__version__}")
    if args.out is None:
        print(json.dumps(result["summary"], indent=1))


if __name__ == "__main__":
    main()
