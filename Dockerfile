# syntax=docker/dockerfile:1
# The API image: published with the .NET 10 SDK, run on the ASP.NET Core 10 runtime. Used by docker-compose.yml.
#   docker build -t finance-supermarket-api .

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# The API needs only src/ (it and the libraries it references), database/ (its migrations, embedded) and the shared props.
COPY Directory.Build.props ./
COPY src/ src/
COPY database/ database/
RUN --mount=type=cache,id=nuget,target=/root/.nuget/packages \
    dotnet publish src/FinanceSupermarket.Api/FinanceSupermarket.Api.csproj -c Release -o /app -p:UseAppHost=false

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
# data/ is where the embedded SQLite default would write; the non-root user must own it.
RUN mkdir -p /app/data && chown app:app /app/data
COPY --from=build /app .
# No ASPNETCORE_ENVIRONMENT: the Production environment, which serves no development tokens or demo data and needs
# Auth__SigningKey to start (docker-compose.yml sets it).
ENV ASPNETCORE_HTTP_PORTS=8080
EXPOSE 8080
USER app
ENTRYPOINT ["dotnet", "FinanceSupermarket.Api.dll"]
