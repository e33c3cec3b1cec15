using TinyKd.Recommender;
using TinyKd.Tests.Data;

namespace TinyKd.Tests.Recommender.Data;

public class MovieLensCsvTests
{
    private const string Header = "movieId,title,year,genres,userId,rating,timestamp\n";

    private static RatingsTable Awkward() => new(
        [
            new RatingRow(1, 1263, 2f, 1260759151),
            new RatingRow(1, 50, 4.5f, 5_000_000_000),
            new RatingRow(2, 1263, 0.5f, 835355586),
            new RatingRow(2, 151307, 5f, 835355590),
            new RatingRow(3, 7, 3.5f, 0),
        ],
        [
            new MovieInfo(1263, "Deer Hunter, The", 1978, ["Drama", "War"]),
            new MovieInfo(50, "Say \"Hi\", Again", null, ["Crime", "Mystery"]),
            new MovieInfo(151307, "", null, ["(no genres listed)"]),
            new MovieInfo(7, "Two\nLines", 2001, []),
        ]);

    private static string WriteToText(RatingsTable table)
    {
        var writer = new StringWriter();
        MovieLensCsv.Write(table, writer);
        return writer.ToString();
    }

    [Fact]
    public void MovieLensCsv_round_trips_quoted_titles_NA_years_and_odd_genres_through_a_file()
    {
        using var dir = new TempDirectory();
        string path = dir.File("ratings.csv");
        RatingsTable table = Awkward();

        MovieLensCsv.Write(table, path);
        RatingsTable read = MovieLensCsv.Read(path);

        RatingsFixtures.AssertSameTable(table, read);
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp"));
    }

    [Fact]
    public void MovieLensCsv_writes_the_spec_header_and_quotes_only_fields_that_need_it()
    {
        string text = WriteToText(Awkward());

        Assert.Equal(
            Header +
            "1263,\"Deer Hunter, The\",1978,Drama|War,1,2,1260759151\n" +
            "50,\"Say \"\"Hi\"\", Again\",NA,Crime|Mystery,1,4.5,5000000000\n" +
            "1263,\"Deer Hunter, The\",1978,Drama|War,2,0.5,835355586\n" +
            "151307,,NA,(no genres listed),2,5,835355590\n" +
            "7,\"Two\nLines\",2001,,3,3.5,0\n",
            text);
    }

    [Fact]
    public void MovieLensCsv_finds_columns_by_name_in_any_order_and_ignores_others()
    {
        string text = "rating,extra,userId,timestamp,genres,year,title,movieId\r\n4,x,9,100,Comedy|Drama,NA,\"A, B\",31\r\n\r\n";

        RatingsTable table = MovieLensCsv.Read(new StringReader(text), "reordered.csv");

        Assert.Equal([new RatingRow(9, 31, 4f, 100)], table.Rows);
        Assert.True(new MovieInfo(31, "A, B", null, ["Comedy", "Drama"]).SameAs(table.Movies[31]));
    }

    [Theory]
    [InlineData("31,Dumbo,1941,Animation,x1,3,1260759179\n", 2, "column 'userId': 'x1' is not an integer")]
    [InlineData("31,Dumbo,1941,Animation,1,3,1260759179\n31,Dumbo,1941,Animation,2,5.5,1\n", 3, "column 'rating': '5.5' is not a rating in [0.5, 5]")]
    [InlineData("31,Dumbo,1941,Animation,1,0,1\n", 2, "column 'rating': '0' is not a rating")]
    [InlineData("31,Dumbo,19x1,Animation,1,3,1\n", 2, "column 'year': '19x1' is not an integer")]
    [InlineData("31,Dumbo,1941,Animation||Drama,1,3,1\n", 2, "column 'genres'")]
    [InlineData("31,Dumbo,1941,Animation,1,3,1.5\n", 2, "column 'timestamp': '1.5' is not an integer")]
    [InlineData("\n31,Dumbo,1941,Animation,1,3\n", 3, "has 6 fields but the header has 7 columns")]
    [InlineData("31,\"Dumbo,1941,Animation,1,3,1\n", 2, "opens a quoted field that never closes")]
    public void MovieLensCsv_rejects_a_bad_field_naming_file_and_line(string body, int line, string fragment)
    {
        using var dir = new TempDirectory();
        string path = dir.File("bad.csv");
        File.WriteAllText(path, Header + body);

        var error = Assert.Throws<InvalidDataException>(() => MovieLensCsv.Read(path));

        Assert.Contains($"CSV file '{path}' line {line}", error.Message);
        Assert.Contains(fragment, error.Message);
    }

    [Fact]
    public void MovieLensCsv_rejects_a_pair_rated_twice_naming_both_lines()
    {
        string body = "31,Dumbo,1941,Animation,1,3,10\n32,Heat,1995,Crime,1,4,11\n31,Dumbo,1941,Animation,1,5,12\n";

        var error = Assert.Throws<InvalidDataException>(() => MovieLensCsv.Read(new StringReader(Header + body), "dup.csv"));

        Assert.Equal("CSV file 'dup.csv' line 4: user 1 rates movie 31 again (first on line 2).", error.Message);
    }

    [Fact]
    public void MovieLensCsv_rejects_a_movie_whose_details_change_between_lines()
    {
        string body = "31,Dumbo,1941,Animation,1,3,10\n31,Dumbo,1942,Animation,2,4,11\n";

        var error = Assert.Throws<InvalidDataException>(() => MovieLensCsv.Read(new StringReader(Header + body), "movies.csv"));

        Assert.Contains("'movies.csv' line 3: movie 31 has title, year or genres different from line 2", error.Message);
    }

    [Fact]
    public void MovieLensCsv_rejects_a_missing_column_listing_those_found()
    {
        var error = Assert.Throws<InvalidDataException>(() =>
            MovieLensCsv.Read(new StringReader("movieId,title,year,genres,user,rating,timestamp\n"), "cols.csv"));

        Assert.Contains("'cols.csv' has no column 'userId'; columns found: movieId, title, year, genres, user, rating, timestamp", error.Message);
    }

    [Theory]
    [InlineData("", "is empty")]
    [InlineData(Header, "has a header but no ratings")]
    public void MovieLensCsv_rejects_a_file_without_ratings(string text, string fragment)
    {
        var error = Assert.Throws<InvalidDataException>(() => MovieLensCsv.Read(new StringReader(text), "none.csv"));

        Assert.Contains($"CSV file 'none.csv' {fragment}", error.Message);
    }
}
