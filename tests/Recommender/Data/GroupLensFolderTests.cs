using System.Text;
using TinyKd.Cli.Commands;
using TinyKd.Recommender;
using TinyKd.Tests.Data;
using TinyKd.Tests.Support;

namespace TinyKd.Tests.Recommender.Data;

// MovieLens folders as GroupLens ships them: each layout read from lines in its own format (quoted titles, Latin-1,
// "(no genres listed)", genre flags), a synthetic table written in each layout and read back unchanged, every fault
// named by file and line, and `tinykd recsys pipeline --data FOLDER`.
public sealed class GroupLensFolderTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Folder(string name, params (string File, byte[] Bytes)[] files)
    {
        string folder = Path.Combine(_dir.Path, name);
        Directory.CreateDirectory(folder);
        foreach (var (file, bytes) in files) File.WriteAllBytes(Path.Combine(folder, file), bytes);
        return folder;
    }

    private static (string, byte[]) Utf8(string file, string text) => (file, Encoding.UTF8.GetBytes(text));

    [Fact]
    public void The_csv_layout_reads_quoted_titles_years_and_missing_genres()
    {
        string folder = Folder("ml-latest-small",
            Utf8("ratings.csv", "userId,movieId,rating,timestamp\n1,1,4.0,964982703\n1,3,4.5,964981247\n2,3,0.5,964982224\n"),
            Utf8("movies.csv", "movieId,title,genres\n1,Toy Story (1995),Adventure|Animation|Children|Comedy|Fantasy\n" +
                               "2,Jumanji (1995),Adventure|Children|Fantasy\n3,\"American President, The (1995)\",(no genres listed)\n"));

        Assert.Equal(GroupLensLayout.Csv, GroupLensFolder.Detect(folder));
        RatingsTable table = GroupLensFolder.Read(folder);

        Assert.Equal([new RatingRow(1, 1, 4f, 964982703), new RatingRow(1, 3, 4.5f, 964981247), new RatingRow(2, 3, 0.5f, 964982224)], table.Rows);
        Assert.Equal([1, 3], table.Movies.Keys.Order());
        Assert.Equal(("American President, The", 1995), (table.Movies[3].Title, table.Movies[3].Year));
        Assert.Empty(table.Movies[3].Genres);
        Assert.Equal(["Adventure", "Animation", "Children", "Comedy", "Fantasy"], table.Movies[1].Genres);
    }

    [Fact]
    public void The_ml100k_layout_reads_tab_separated_ratings_latin1_titles_and_genre_flags()
    {
        byte[] item = Encoding.Latin1.GetBytes(
            "1|Toy Story (1995)|01-Jan-1995||http://us.imdb.com/M/title-exact?Toy%20Story%20(1995)|0|0|0|1|1|1|0|0|0|0|0|0|0|0|0|0|0|0|0\n" +
            "2|Misérables, Les (1995)|01-Jan-1995||http://us.imdb.com/M/title-exact?Mis%E9rables|0|0|0|0|0|0|0|0|1|0|0|0|1|0|0|0|0|1|0\n");
        string folder = Folder("ml-100k", Utf8("u.data", "196\t1\t3\t881250949\n186\t2\t3\t891717742\n"), ("u.item", item));

        RatingsTable table = GroupLensFolder.Read(folder);

        Assert.Equal(GroupLensLayout.Ml100k, GroupLensFolder.Detect(folder));
        Assert.Equal([new RatingRow(196, 1, 3f, 881250949), new RatingRow(186, 2, 3f, 891717742)], table.Rows);
        Assert.Equal(("Misérables, Les", 1995), (table.Movies[2].Title, table.Movies[2].Year));
        Assert.Equal(["Drama", "Musical", "War"], table.Movies[2].Genres);
        Assert.Equal(["Animation", "Children's", "Comedy"], table.Movies[1].Genres);
    }

    [Fact]
    public void The_dat_layout_reads_double_colon_fields()
    {
        string folder = Folder("ml-1m",
            Utf8("ratings.dat", "1::1193::5::978300760\n1::661::3::978302109\n"),
            ("movies.dat", Encoding.Latin1.GetBytes("661::James and the Giant Peach (1996)::Animation|Children's|Musical\n1193::One Flew Over the Cuckoo's Nest (1975)::Drama\n")));

        RatingsTable table = GroupLensFolder.Read(folder);

        Assert.Equal(GroupLensLayout.Dat, GroupLensFolder.Detect(folder));
        Assert.Equal(2, table.Rows.Count);
        Assert.Equal(("One Flew Over the Cuckoo's Nest", 1975), (table.Movies[1193].Title, table.Movies[1193].Year));
        Assert.Equal(["Drama"], table.Movies[1193].Genres);
    }

    [Theory]
    [InlineData(GroupLensLayout.Csv)]
    [InlineData(GroupLensLayout.Ml100k)]
    [InlineData(GroupLensLayout.Dat)]
    public void A_synthetic_table_written_in_each_layout_reads_back_unchanged(GroupLensLayout layout)
    {
        RatingsTable table = SyntheticRatings.Generate(new SyntheticOptions { Seed = 4, Users = 40, Movies = 80, MeanRatingsPerUser = 30 });
        string folder = Path.Combine(_dir.Path, layout.ToString());
        GroupLensFolder.Write(table, folder, layout);

        RatingsTable back = GroupLensFolder.Read(folder);

        Assert.Equal(table.Rows, back.Rows);
        Assert.Equal(table.Movies.Keys.Order(), back.Movies.Keys.Order());
        foreach (MovieInfo movie in table.Movies.Values)
        {
            MovieInfo read = back.Movies[movie.MovieId];
            Assert.Equal((movie.Title, movie.Year), (read.Title, read.Year));
            Assert.Equal(movie.Genres.Order(), read.Genres.Order());
        }
    }

    [Theory]
    [InlineData("1,1,4.0\n", "ratings.csv' line 2 has 3 fields")]
    [InlineData("1,1,x,5\n", "ratings.csv' line 2: the rating 'x' is not a number")]
    [InlineData("1,1,7,5\n", "ratings.csv' line 2: rating 7 lies outside")]
    [InlineData("1,1,4,5\n1,1,3,6\n", "ratings.csv' holds an invalid ratings table: User 1 rates movie 1 twice (rows 0 and 1)")]
    [InlineData("1,9,4,5\n", "ratings.csv' rating 1 rates movie 9, which its movies file does not list")]
    public void A_bad_rating_line_is_refused_naming_the_file_and_the_line(string ratings, string fault)
    {
        string folder = Folder("bad", Utf8("ratings.csv", "userId,movieId,rating,timestamp\n" + ratings), Utf8("movies.csv", "movieId,title,genres\n1,A (2000),Drama\n"));
        Check.Throws<InvalidDataException>(() => GroupLensFolder.Read(folder), fault);
    }

    [Fact]
    public void Bad_movie_files_and_an_unknown_folder_are_refused_naming_them()
    {
        string flags = Folder("flags", Utf8("u.data", "1\t1\t3\t5\n"), Utf8("u.item", "1|A (2000)|||x|0|2|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0\n"));
        Check.Throws<InvalidDataException>(() => GroupLensFolder.Read(flags), "u.item' line 1", "'Action' is '2'");
        string twice = Folder("twice", Utf8("ratings.dat", "1::1::3::5\n"), Utf8("movies.dat", "1::A (2000)::Drama\n1::B (2001)::Drama\n"));
        Check.Throws<InvalidDataException>(() => GroupLensFolder.Read(twice), "movies.dat' line 2 lists movie 1 a second time");
        string empty = Folder("empty");
        Check.Throws<InvalidDataException>(() => GroupLensFolder.Read(empty), empty, "ratings.csv + movies.csv", "u.data + u.item", "ratings.dat + movies.dat");
    }

    [Fact]
    public void Recsys_synth_writes_a_grouplens_folder_that_the_pipeline_reads()
    {
        string folder = Path.Combine(_dir.Path, "synthetic-ml-100k");
        Assert.Equal(0, RecsysCommand.Run(["synth", "--layout", "ml-100k", "--users", "60", "--movies", "90", "--ratings-per-user", "30", "--out", folder], TextWriter.Null));
        Assert.True(File.Exists(Path.Combine(folder, "u.genre")));
        var output = new StringWriter();

        Assert.Equal(0, RecsysCommand.Run(["pipeline", "--data", folder, "--seeds", "1", "--epochs", "1", "--teacher", "8:2:8", "--student", "4:2:4",
            "--mf-width", "4", "--distill", "listwise", "--no-curves", "--report", Path.Combine(_dir.Path, "report")], output));

        Assert.Contains($"tinykd recsys pipeline: {folder}: 60 users", output.ToString());
    }
}
