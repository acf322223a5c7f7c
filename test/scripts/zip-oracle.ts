/** What test/scripts/zip_oracle.py (Python's zipfile) reports about an archive, for the zip reader and writer tests. */

/** One entry as Python's zipfile sees it. */
export interface ZipOracleEntry {
  name: string;
  header_offset: number;
  data_offset: number;
  compress_type: number;
  file_size: number;
  compress_size: number;
  CRC: number;
  flag_bits: number;
  sha256: string;
}

/** An archive as Python's zipfile sees it: its entries, `testzip()`'s answer, or the error opening it raised. */
export interface ZipOracle {
  entries: ZipOracleEntry[];
  testzip: string | null;
  error: string | null;
}
