/*
 * tcp_client.c: the Windows side of the TCP ping-pong reference of `make bench`.
 * Built with x86_64-w64-mingw32-gcc and run under Wine:
 *
 *     tcp_client.exe PORT
 *
 * Connects to 127.0.0.1:PORT with TCP_NODELAY and echoes every MSG_SIZE-byte
 * message until the peer closes the connection. Exit status 0 on a clean close.
 */

#include <winsock2.h>
#include <ws2tcpip.h>
#include <stdio.h>
#include <stdlib.h>

#define MSG_SIZE 8

/* Reads exactly n bytes; returns 1, or 0 when the peer closed or on error. */
static int recv_all(SOCKET s, char *buf, int n)
{
    while (n > 0) {
        int got = recv(s, buf, n, 0);
        if (got <= 0)
            return 0;
        buf += got;
        n -= got;
    }
    return 1;
}

/* Writes exactly n bytes; returns 1, or 0 on error. */
static int send_all(SOCKET s, const char *buf, int n)
{
    while (n > 0) {
        int sent = send(s, buf, n, 0);
        if (sent <= 0)
            return 0;
        buf += sent;
        n -= sent;
    }
    return 1;
}

int main(int argc, char **argv)
{
    WSADATA wsa;
    struct sockaddr_in addr = {0};
    char msg[MSG_SIZE];
    int one = 1;
    SOCKET s;

    if (argc != 2) {
        fprintf(stderr, "usage: tcp_client.exe PORT\n");
        return 2;
    }
    if (WSAStartup(MAKEWORD(2, 2), &wsa) != 0) {
        fprintf(stderr, "tcp_client: WSAStartup failed\n");
        return 1;
    }
    s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    setsockopt(s, IPPROTO_TCP, TCP_NODELAY, (const char *)&one, sizeof one);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((unsigned short)atoi(argv[1]));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(s, (struct sockaddr *)&addr, sizeof addr) != 0) {
        fprintf(stderr, "tcp_client: connect failed: %d\n", WSAGetLastError());
        return 1;
    }
    while (recv_all(s, msg, MSG_SIZE))
        if (!send_all(s, msg, MSG_SIZE))
            break;
    closesocket(s);
    WSACleanup();
    return 0;
}
