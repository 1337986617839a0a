-- Working-day calendar years loaded by an admin (POST /api/v1/admin/calendar/{year}), for every provider (tokens: see
-- 0001_initial.sql). Kept in the database so that every node counts deadlines with them; a year here replaces the
-- shipped file and the Workflow:CalendarFolder file of that year.
CREATE TABLE calendar_years (
    year       $int$ PRIMARY KEY,
    -- The year's file as given: {"year":2027,"holidays":[{"name":…,"from":…,"to":…}],"workingWeekends":[…],"source":…}
    content    $text$ NOT NULL,
    loaded_at  $timestamp$ NOT NULL
);
