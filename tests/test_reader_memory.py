"""The kernels' memory of processed tables: copies while a file is unchanged, re-read when not."""

from __future__ import annotations

import os

import pandas as pd
import pytest

from hengelo_analysis.processed import reader


@pytest.fixture
def table(tmp_path, monkeypatch):
    monkeypatch.setattr(reader, "_memory", None)  # each test starts with nothing kept
    path = reader.table_path(tmp_path, "demo", "crime")
    path.parent.mkdir(parents=True)
    pd.DataFrame({"registered": [1, 2, 3]}).to_parquet(path)
    return tmp_path, path


def test_a_kept_table_is_read_once_and_handed_out_as_copies(table, monkeypatch):
    data_dir, path = table
    reader.keep_tables_in_memory()
    first = reader.load_table(data_dir, "demo", "crime")
    first.loc[0, "registered"] = 99  # a notebook changing its frame in place
    reads = []
    monkeypatch.setattr(reader, "_read_file", lambda *a: reads.append(a))
    second = reader.load_table(data_dir, "demo", "crime")
    assert reads == []  # from memory
    assert second["registered"].tolist() == [1, 2, 3]


def test_a_table_written_again_is_read_again(table):
    data_dir, path = table
    reader.keep_tables_in_memory()
    assert reader.load_table(data_dir, "demo", "crime")["registered"].sum() == 6
    pd.DataFrame({"registered": [10, 20, 30, 40]}).to_parquet(path)
    os.utime(path, ns=(1, 1))  # even with an old mtime: the size (and inode) differ
    assert reader.load_table(data_dir, "demo", "crime")["registered"].sum() == 100


def test_without_memory_every_load_reads_the_file(table, monkeypatch):
    data_dir, _ = table
    reads = []
    real = reader._read_file
    monkeypatch.setattr(reader, "_read_file", lambda *a: reads.append(a) or real(*a))
    reader.load_table(data_dir, "demo", "crime")
    reader.load_table(data_dir, "demo", "crime")
    assert len(reads) == 2
    assert reader._memory is None


def test_only_the_tables_of_the_folder_read_last_are_kept(table, tmp_path):
    data_dir, path = table
    reader.keep_tables_in_memory()
    reader.load_table(data_dir, "demo", "crime")
    other = tmp_path / "copy"
    copied = reader.table_path(other, "demo", "crime")
    copied.parent.mkdir(parents=True)
    pd.DataFrame({"registered": [4]}).to_parquet(copied)
    assert reader.load_table(other, "demo", "crime")["registered"].tolist() == [4]
    assert list(reader._memory) == [copied]  # the first folder's table is forgotten
