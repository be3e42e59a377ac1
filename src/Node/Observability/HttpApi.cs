using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Grpc.JsonTranscoding;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi.Models;

namespace Chain.Node.Observability;

/// <summary>
/// The HTTP/JSON face of the client services: gRPC JSON transcoding of the <c>google.api.http</c> routes in api.proto
/// (the same services, interceptors, access rules and error answers as gRPC) and their OpenAPI document.
/// </summary>
internal static class HttpApi
{
    public const string OpenApiPath = "/openapi/v1.json";

    public static void Configure(GrpcJsonTranscodingOptions options)
    {
        options.JsonSettings.WriteIndented = false;
        // As the protobuf JSON mapping says: a 64-bit number (a nonce, a block number, an amount) as a string, so a
        // JavaScript client cannot round it.
        options.JsonSettings.WriteInt64sAsStrings = true;
    }

    public static void AddOpenApi(IServiceCollection services)
    {
        services.AddGrpcSwagger();
        services.AddSwaggerGen(o => o.SwaggerDoc("v1", new OpenApiInfo
        {
            Title = "Chain node API",
            Version = "v1",
            Description = "The client services of a Chain node as JSON over HTTP (docs/API.md#http-json-api). Reads that need a signature carry it in the chain-reader, chain-read-time and chain-read-signature headers.",
        }));
    }

    public static void MapOpenApi(WebApplication app) => app.UseSwagger(o => o.RouteTemplate = "openapi/{documentName}.json");
}
