"""processed/reader: the one reader of processed tables, parquet and the areas GeoPackage."""

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from hengelo_analysis.errors import DataError
from hengelo_analysis.processed import reader


@pytest.fixture
def data_dir(tmp_path):
    folder = tmp_path / "processed" / "demo"
    folder.mkdir(parents=True)
    pd.DataFrame({"area_code": ["GM0164"], "registered": [5]}).to_parquet(folder / "crime.parquet")
    areas = gpd.GeoDataFrame(
        {"area_code": ["WK016400"]}, geometry=[box(0, 0, 10, 20)], crs="EPSG:28992"
    )
    areas.to_file(folder / "areas.gpkg", driver="GPKG", layer="areas")
    return tmp_path


def test_load_tables_leaves_missing_tables_out(data_dir):
    tables = reader.load_tables(data_dir, "demo", ["crime", "youth", "areas"])
    assert set(tables) == {"crime", "areas"}
    assert tables["crime"]["registered"].tolist() == [5]
    assert tables["areas"].geometry.iloc[0].area == pytest.approx(200)
    assert reader.load_tables(data_dir, "other", ["crime"]) == {}


def test_load_areas_reads_the_geopackage_or_gives_none(data_dir, tmp_path):
    areas = reader.load_areas(data_dir, "demo")
    assert areas.crs.to_epsg() == 28992 and areas["area_code"].tolist() == ["WK016400"]
    assert reader.load_areas(tmp_path / "empty", "demo") is None


def test_load_table_names_the_missing_file(data_dir):
    with pytest.raises(DataError, match="run `hengelo-analysis clean`") as info:
        reader.load_table(data_dir, "demo", "youth")
    assert info.value.path == reader.table_path(data_dir, "demo", "youth")
    assert reader.table_path(data_dir, "demo", "areas").name == "areas.gpkg"


def test_no_processed_data_is_one_dutch_error_naming_the_clean_command(tmp_path):
    from hengelo_analysis.analysis import claims

    with pytest.raises(DataError, match=r"voer eerst `hengelo-analysis clean --source demo` uit"):
        claims.load_tables(tmp_path, "demo")
    # a processed folder with no table in it (only provenance.json) is no data either
    folder = tmp_path / "processed" / "demo"
    folder.mkdir(parents=True)
    (folder / "provenance.json").write_text("{}")
    with pytest.raises(DataError, match=r"geen verwerkte tabellen: voer eerst `hengelo-analysis"):
        reader.require_processed(tmp_path, "demo")


def test_processed_data_with_tables_passes_the_check(data_dir):
    from hengelo_analysis.analysis import claims

    assert reader.require_processed(data_dir, "demo") == reader.processed_dir(data_dir, "demo")
    assert set(claims.load_tables(data_dir, "demo")) == {"crime"}


@pytest.mark.slow
def test_a_notebook_opened_before_clean_stops_in_its_first_data_cell(tmp_path):
    # The notebook as an analyst opens it, executed against a data folder nothing was cleaned into.
    import papermill

    from hengelo_analysis.paths import NOTEBOOK_DIR
    from hengelo_analysis.pipeline.kernels import KERNEL_NAME, ensure_kernel

    ensure_kernel()
    out = tmp_path / "out.ipynb"
    with pytest.raises(papermill.PapermillExecutionError) as failed:
        papermill.execute_notebook(
            str(NOTEBOOK_DIR / "01_veiligheidsbeeld.ipynb"),
            str(out),
            parameters={"data_dir": str(tmp_path / "data")},
            kernel_name=KERNEL_NAME,
            progress_bar=False,
        )
    assert failed.value.ename == "DataError"
    assert "voer eerst `hengelo-analysis clean --source demo` uit" in failed.value.evalue
    # it stopped there: the cell after it never ran, so no page of "n.b." follows
    executed = [
        c for c in papermill.iorw.load_notebook_node(str(out)).cells if c.cell_type == "code"
    ]
    ran = [c for c in executed if c.get("execution_count")]
    assert "claims.load_tables" in ran[-1].source
    assert len(ran) < len(executed)


def test_a_stray_file_in_the_processed_folder_is_not_processed_data(tmp_path):
    # What an analyst's folder can hold without clean having run: a note, a copied parquet of
    # something else, an editor's hidden file. None of them is a table the notebooks read, so the
    # notebook must still stop at once instead of showing "n.b." in every cell.
    folder = tmp_path / "processed" / "demo"
    folder.mkdir(parents=True)
    for stray in ("notes.txt", "oud_export.parquet", ".~crime.parquet"):
        (folder / stray).write_bytes(b"x")
        with pytest.raises(DataError, match=r"geen verwerkte tabellen: voer eerst"):
            reader.require_processed(tmp_path, "demo")
    (folder / "youth.parquet").write_bytes(b"x")
    assert reader.require_processed(tmp_path, "demo") == folder


def test_the_reader_knows_every_table_clean_writes():
    from hengelo_analysis.sources.cleaners import CLEANERS

    assert reader.TABLE_NAMES == {name for cleaner in CLEANERS for name in cleaner.schemas}
